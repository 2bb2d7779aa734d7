-- Operations-center reporting: every revision of an agency's indicator report for a period, and where its
-- delivery to the Government operations center stands. A revision is recorded when its content (formula
-- version, counts, scores) differs from the latest one recorded for the agency and period; its version is
-- the latest plus one. The operations center accepts each (agency, period, version) once.

CREATE TABLE indicator_delivery (
  agency_code   text        NOT NULL,
  period_kind   text        NOT NULL,
  period_key    text        NOT NULL,
  version       integer     NOT NULL,
  content_hash  text        NOT NULL,
  event_id      uuid        NOT NULL,
  report        jsonb       NOT NULL,
  status        text        NOT NULL DEFAULT 'QUEUED',
  attempts      integer     NOT NULL DEFAULT 0,
  receipt_id    text,
  last_error    text,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  delivered_at  timestamptz,
  PRIMARY KEY (agency_code, period_key, version),
  CONSTRAINT indicator_delivery_event_unique UNIQUE (event_id),
  CONSTRAINT indicator_delivery_kind_known CHECK (period_kind IN ('DAY', 'MONTH', 'QUARTER')),
  CONSTRAINT indicator_delivery_version_positive CHECK (version >= 1),
  CONSTRAINT indicator_delivery_attempts_not_negative CHECK (attempts >= 0),
  CONSTRAINT indicator_delivery_status_known
    CHECK (status IN ('QUEUED', 'PARKED', 'DELIVERED', 'SUPERSEDED', 'REJECTED', 'FAILED'))
);

-- Reports of an agency and period still waiting on the retry topic: later revisions queue behind them.
CREATE INDEX indicator_delivery_parked_idx ON indicator_delivery (agency_code, period_key) WHERE status = 'PARKED';

COMMENT ON TABLE indicator_delivery IS 'Revisions of indicator reports per agency and period, and their delivery to the operations center';
COMMENT ON COLUMN indicator_delivery.content_hash IS 'sha256 (hex) of the canonical JSON of formulaVersion, counts and scores';
COMMENT ON COLUMN indicator_delivery.report IS 'The canonical indicator report as published (lgsp.indicator.report.v1)';
COMMENT ON COLUMN indicator_delivery.status IS 'QUEUED published, PARKED on the retry topic, DELIVERED accepted, SUPERSEDED a higher version was there, REJECTED refused (dead-lettered), FAILED retries exhausted (dead-lettered)';
COMMENT ON COLUMN indicator_delivery.receipt_id IS 'The operations center''s receipt (MaTiepNhan) of the accepted version';
