-- Audit log of lookups (libs/audit): one row per lookup of personal, enterprise or land data, success or
-- failure, hash-chained in seq order so that an edited, deleted or reordered row is detectable.
-- Personal identifiers are never stored: the subject is an HMAC-SHA256 under AUDIT_SUBJECT_KEY.
-- Rows are written by AuditLog in batches; the record format is contracts/schemas/audit-record.v1.json.

-- The chain head: one row, locked (SELECT ... FOR UPDATE) by every writer for the length of its batch,
-- so that several gateway processes append to one gap-free chain.
CREATE TABLE audit_chain_head (
  id                smallint    PRIMARY KEY DEFAULT 1,
  last_seq          bigint      NOT NULL,
  last_hash         text        NOT NULL,
  genesis_seq       bigint      NOT NULL,
  genesis_prev_hash text        NOT NULL,
  updated_at        timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT audit_chain_head_single_row CHECK (id = 1),
  CONSTRAINT audit_chain_head_last_hash_hex CHECK (last_hash ~ '^[0-9a-f]{64}$'),
  CONSTRAINT audit_chain_head_genesis_prev_hash_hex CHECK (genesis_prev_hash ~ '^[0-9a-f]{64}$'),
  CONSTRAINT audit_chain_head_seq_order CHECK (genesis_seq >= 1 AND last_seq >= genesis_seq - 1)
);

INSERT INTO audit_chain_head (id, last_seq, last_hash, genesis_seq, genesis_prev_hash)
VALUES (1, 0, repeat('0', 64), 1, repeat('0', 64));

COMMENT ON TABLE audit_chain_head IS 'Head of the audit hash chain (one row); writers lock it for each batch';
COMMENT ON COLUMN audit_chain_head.last_seq IS 'seq of the newest audit record (0 before the first)';
COMMENT ON COLUMN audit_chain_head.last_hash IS 'hash of the newest audit record (64 zeros before the first)';
COMMENT ON COLUMN audit_chain_head.genesis_seq IS 'seq of the oldest record kept; raised when retention removes a prefix';
COMMENT ON COLUMN audit_chain_head.genesis_prev_hash IS 'prevHash the record at genesis_seq must carry: the hash of the last removed record, or 64 zeros';

CREATE TABLE audit_record (
  seq                    bigint      PRIMARY KEY,
  id                     uuid        NOT NULL,
  occurred_at            timestamptz NOT NULL,
  request_id             text        NOT NULL,
  client_id              text        NOT NULL,
  credential_id          text,
  service                text        NOT NULL,
  purpose                text,
  legal_basis            text,
  dossier_code           text,
  subject_kind           text        NOT NULL,
  subject_key_id         text        NOT NULL,
  subject_hash           text,
  related_subject_hashes text[],
  outcome                text        NOT NULL,
  outcome_code           text,
  upstream               text        NOT NULL,
  upstream_latency_ms    integer,
  cache                  text,
  fields_returned        text[],
  fields_withheld        text[],
  prev_hash              text        NOT NULL,
  hash                   text        NOT NULL,
  CONSTRAINT audit_record_id_unique UNIQUE (id),
  CONSTRAINT audit_record_seq_positive CHECK (seq >= 1),
  CONSTRAINT audit_record_hash_hex CHECK (hash ~ '^[0-9a-f]{64}$' AND prev_hash ~ '^[0-9a-f]{64}$'),
  CONSTRAINT audit_record_subject_hash_hex CHECK (subject_hash IS NULL OR subject_hash ~ '^[0-9a-f]{64}$')
);

-- "Who looked up this subject": direct lookups, and records whose answer named the subject.
CREATE INDEX audit_record_subject_idx ON audit_record (subject_hash, occurred_at) WHERE subject_hash IS NOT NULL;
CREATE INDEX audit_record_related_subject_idx ON audit_record USING gin (related_subject_hashes);
CREATE INDEX audit_record_request_idx ON audit_record (request_id);
CREATE INDEX audit_record_occurred_idx ON audit_record (occurred_at);

COMMENT ON TABLE audit_record IS 'One record per lookup, hash-chained in seq order (contracts/schemas/audit-record.v1.json)';
COMMENT ON COLUMN audit_record.seq IS 'Position in the chain: gap-free from audit_chain_head.genesis_seq';
COMMENT ON COLUMN audit_record.subject_key_id IS 'Fingerprint of the AUDIT_SUBJECT_KEY the subject hashes were computed with';
COMMENT ON COLUMN audit_record.subject_hash IS 'HMAC-SHA256 of the looked-up identifier (never the identifier itself)';
COMMENT ON COLUMN audit_record.related_subject_hashes IS 'HMAC-SHA256 of other identifiers whose data the answer carried (holders, representatives)';
COMMENT ON COLUMN audit_record.prev_hash IS 'hash of the previous record, or the chain genesis';
COMMENT ON COLUMN audit_record.hash IS 'SHA-256 (hex) of the RFC 8785 canonical JSON of the record without hash';

-- A signature over the hash of the last record of a batch; it covers the whole chain up to that record.
CREATE TABLE audit_signature (
  seq        bigint      PRIMARY KEY,
  hash       text        NOT NULL,
  algorithm  text        NOT NULL,
  key_id     text        NOT NULL,
  signature  bytea       NOT NULL,
  signed_at  timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT audit_signature_hash_hex CHECK (hash ~ '^[0-9a-f]{64}$'),
  CONSTRAINT audit_signature_key_id_hex CHECK (key_id ~ '^[0-9a-f]{64}$')
);

COMMENT ON TABLE audit_signature IS 'RSA signatures over audit record hashes (one per signed batch)';
COMMENT ON COLUMN audit_signature.key_id IS 'SHA-256 (hex) of the signer''s SubjectPublicKeyInfo (DER)';
COMMENT ON COLUMN audit_signature.signature IS 'RSASSA-PKCS1-v1_5 with SHA-256 over the 32 bytes of hash';

-- Every retention run that removed a prefix of the chain, and the anchor it left.
CREATE TABLE audit_anchor (
  genesis_seq       bigint      PRIMARY KEY,
  genesis_prev_hash text        NOT NULL,
  records_removed   bigint      NOT NULL,
  older_than        timestamptz NOT NULL,
  removed_at        timestamptz NOT NULL DEFAULT now()
);

COMMENT ON TABLE audit_anchor IS 'History of retention runs: the new genesis of the audit chain after each one';

-- Audit rows are append-only. Only a retention run (which sets lienthong.audit_retention = on for its
-- own transaction) may delete them; nothing may update or truncate them. This guards against mistakes, not against
-- the database owner, who can disable triggers: the hash chain and the signatures detect that case.
CREATE FUNCTION audit_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' AND current_setting('lienthong.audit_retention', true) = 'on' THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION 'audit records are append-only (% on %)', TG_OP, TG_TABLE_NAME
    USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER audit_record_append_only BEFORE UPDATE OR DELETE ON audit_record
  FOR EACH ROW EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER audit_signature_append_only BEFORE UPDATE OR DELETE ON audit_signature
  FOR EACH ROW EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER audit_record_no_truncate BEFORE TRUNCATE ON audit_record
  FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER audit_signature_no_truncate BEFORE TRUNCATE ON audit_signature
  FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();
