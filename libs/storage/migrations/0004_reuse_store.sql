-- Reuse store (kho quản lý dữ liệu điện tử của tổ chức, cá nhân): documents and results registered when a
-- dossier is resolved, searched by owner for the next dossier (contracts/schemas/reusable-document.v1.json),
-- and every reuse of a document by a dossier (the "not asked again" indicator).
-- The owner's identifier is never stored: owner_hash is HMAC-SHA256 under AUDIT_SUBJECT_KEY of
-- "<CITIZEN|ENTERPRISE>:<identifier>", the same construction as the audit log's subject hash.

CREATE TABLE reuse_document (
  id                    uuid        PRIMARY KEY,
  owner_kind            text        NOT NULL,
  owner_key_id          text        NOT NULL,
  owner_hash            text        NOT NULL,
  document_type         text        NOT NULL,
  document_code         text,
  title                 text,
  issuing_agency_code   text,
  issuing_agency_name   text        NOT NULL,
  dossier_code          text,
  issued_on             date        NOT NULL,
  valid_from            date,
  valid_until           date,
  media_type            text,
  content_sha256        text        NOT NULL,
  storage_ref           text        NOT NULL,
  signature_status      text        NOT NULL,
  signature             bytea,
  signer                text,
  signer_cert_sha256    text,
  signature_verified_at timestamptz,
  status                text        NOT NULL DEFAULT 'ACTIVE',
  revoked_reason        text,
  revoked_at            timestamptz,
  revoked_by            text,
  superseded_by         uuid        REFERENCES reuse_document (id),
  registered_by         text        NOT NULL,
  request_id            text,
  created_at            timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT reuse_document_owner_kind CHECK (owner_kind IN ('CITIZEN', 'ENTERPRISE', 'ORGANISATION')),
  CONSTRAINT reuse_document_owner_hash_hex CHECK (owner_hash ~ '^[0-9a-f]{64}$'),
  CONSTRAINT reuse_document_content_sha256_hex CHECK (content_sha256 ~ '^[0-9a-f]{64}$'),
  CONSTRAINT reuse_document_status CHECK (status IN ('ACTIVE', 'REVOKED', 'SUPERSEDED')),
  CONSTRAINT reuse_document_signature_status CHECK (signature_status IN ('VALID', 'ABSENT')),
  CONSTRAINT reuse_document_signed_has_signer CHECK (
    signature_status = 'ABSENT'
    OR (signature IS NOT NULL AND signer IS NOT NULL AND signer_cert_sha256 IS NOT NULL
        AND signature_verified_at IS NOT NULL)
  ),
  CONSTRAINT reuse_document_validity_order CHECK (
    (valid_from IS NULL OR valid_from >= issued_on)
    AND (valid_until IS NULL OR valid_until >= coalesce(valid_from, issued_on))
  ),
  CONSTRAINT reuse_document_revocation CHECK (
    (status = 'ACTIVE' AND revoked_at IS NULL AND superseded_by IS NULL)
    OR (status = 'REVOKED' AND revoked_at IS NOT NULL AND superseded_by IS NULL)
    OR (status = 'SUPERSEDED' AND revoked_at IS NOT NULL AND superseded_by IS NOT NULL)
  ),
  CONSTRAINT reuse_document_not_superseded_by_itself CHECK (superseded_by IS NULL OR superseded_by <> id)
);

-- Search by owner (and type) among the documents that may still be reused.
CREATE INDEX reuse_document_owner_idx ON reuse_document (owner_hash, document_type) WHERE status = 'ACTIVE';
-- One active registration per owner and content: a repeated registration is answered with the first one.
CREATE UNIQUE INDEX reuse_document_active_content_idx ON reuse_document (owner_hash, content_sha256)
  WHERE status = 'ACTIVE';
CREATE INDEX reuse_document_dossier_idx ON reuse_document (dossier_code) WHERE dossier_code IS NOT NULL;

COMMENT ON TABLE reuse_document IS 'Documents and results in the reuse store (contracts/schemas/reusable-document.v1.json)';
COMMENT ON COLUMN reuse_document.owner_kind IS 'Kind of the owner party: CITIZEN, ENTERPRISE or ORGANISATION';
COMMENT ON COLUMN reuse_document.owner_key_id IS 'Fingerprint of the AUDIT_SUBJECT_KEY owner_hash was computed with';
COMMENT ON COLUMN reuse_document.owner_hash IS 'HMAC-SHA256 of the owner identifier (personal ID or enterprise code), never the identifier';
COMMENT ON COLUMN reuse_document.content_sha256 IS 'SHA-256 (lowercase hex) of the stored content';
COMMENT ON COLUMN reuse_document.signature IS 'The detached CMS (PKCS#7) signature as registered (DER), kept as evidence';
COMMENT ON COLUMN reuse_document.signer_cert_sha256 IS 'SHA-256 fingerprint of the agency certificate the signature was verified with';
COMMENT ON COLUMN reuse_document.status IS 'ACTIVE (reusable), REVOKED or SUPERSEDED (kept for the record, never reused)';
COMMENT ON COLUMN reuse_document.registered_by IS 'Client id of the system that registered the document';

-- One row per (document, dossier that reused it): a dossier whose search returned the document.
CREATE TABLE document_reuse (
  document_id  uuid        NOT NULL REFERENCES reuse_document (id),
  dossier_code text        NOT NULL,
  client_id    text        NOT NULL,
  request_id   text,
  reused_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (document_id, dossier_code)
);

CREATE INDEX document_reuse_dossier_idx ON document_reuse (dossier_code);

COMMENT ON TABLE document_reuse IS 'Documents of the reuse store used by a dossier instead of asking the applicant again';
