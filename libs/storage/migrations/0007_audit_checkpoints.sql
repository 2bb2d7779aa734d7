-- Audit log that cannot be cut quietly (libs/audit):
-- 1. signed checkpoints of the chain head, written every few seconds while the chain grows and published
--    to Kafka (lgsp.audit.checkpoint.v1), so a copy outside the database reveals a cut tail or a rewrite;
-- 2. retention becomes an audited operation: a prune writes its own record into the chain (service
--    audit.prune, with the range it removes), and only rows covered by such a record written in the same
--    transaction may be deleted. The old session setting lienthong.audit_retention no longer opens anything.

ALTER TABLE audit_record
  ADD COLUMN pruned_from_seq  bigint,
  ADD COLUMN pruned_to_seq    bigint,
  ADD COLUMN pruned_last_hash text,
  ADD CONSTRAINT audit_record_pruned_range CHECK (
    (pruned_from_seq IS NULL AND pruned_to_seq IS NULL AND pruned_last_hash IS NULL)
    OR (service = 'audit.prune' AND pruned_from_seq >= 1 AND pruned_to_seq >= pruned_from_seq
        AND pruned_to_seq < seq AND pruned_last_hash ~ '^[0-9a-f]{64}$')
  );

COMMENT ON COLUMN audit_record.pruned_from_seq IS 'On a retention record (service audit.prune): first seq it removed';
COMMENT ON COLUMN audit_record.pruned_to_seq IS 'On a retention record: last seq it removed; the chain then starts at pruned_to_seq + 1';
COMMENT ON COLUMN audit_record.pruned_last_hash IS 'On a retention record: hash of record pruned_to_seq, the new genesis prevHash';

CREATE INDEX audit_record_prune_idx ON audit_record (seq) WHERE service = 'audit.prune';

-- A signed statement of the chain head (contracts/schemas/audit-checkpoint.v1.json). Writers take the head
-- lock to write one, so several processes never write two for one head.
CREATE TABLE audit_checkpoint (
  seq               bigint      PRIMARY KEY,
  hash              text        NOT NULL,
  genesis_seq       bigint      NOT NULL,
  genesis_prev_hash text        NOT NULL,
  created_at        timestamptz NOT NULL,
  key_id            text        NOT NULL,
  algorithm         text        NOT NULL,
  signature         bytea       NOT NULL,
  CONSTRAINT audit_checkpoint_hash_hex CHECK (hash ~ '^[0-9a-f]{64}$' AND genesis_prev_hash ~ '^[0-9a-f]{64}$'),
  CONSTRAINT audit_checkpoint_key_id_hex CHECK (key_id ~ '^[0-9a-f]{64}$'),
  CONSTRAINT audit_checkpoint_seq_order CHECK (seq >= 1 AND genesis_seq >= 1)
);

COMMENT ON TABLE audit_checkpoint IS 'Signed checkpoints of the audit chain head; each signs every record up to seq';
COMMENT ON COLUMN audit_checkpoint.signature IS 'RSASSA-PKCS1-v1_5 with SHA-256 over the SHA-256 of the canonical JSON of the checkpoint without signature';

-- Deletes are allowed only of rows covered by a retention record written in the same transaction, named by
-- lienthong.audit_prune_seq. Anyone with INSERT could still write such a record, but verification accepts
-- a shortened chain only when the record is covered by a signature of a trusted key, which the database
-- cannot make. Updates and truncation stay refused. Disabling the trigger (owner, or
-- session_replication_role = replica) is not prevented here: the signed checkpoints detect it.
CREATE OR REPLACE FUNCTION audit_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  prune_seq text := current_setting('lienthong.audit_prune_seq', true);
BEGIN
  IF TG_OP = 'DELETE' AND prune_seq ~ '^[1-9][0-9]{0,18}$' AND EXISTS (
    SELECT 1 FROM audit_record p
     WHERE p.seq = prune_seq::bigint
       AND p.service = 'audit.prune'
       AND p.xmin::text::bigint = pg_current_xact_id()::text::bigint % 4294967296
       AND OLD.seq BETWEEN p.pruned_from_seq AND p.pruned_to_seq
  ) THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION 'audit records are append-only (% on %)', TG_OP, TG_TABLE_NAME
    USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER audit_checkpoint_append_only BEFORE UPDATE OR DELETE ON audit_checkpoint
  FOR EACH ROW EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER audit_checkpoint_no_truncate BEFORE TRUNCATE ON audit_checkpoint
  FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();
