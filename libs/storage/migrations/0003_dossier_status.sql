-- Dossier status pipeline: the current state of every dossier the gateway has accepted events for,
-- and the accepted events themselves (idempotency by event id, history for GET /v1/dossiers/{code}).

CREATE TABLE dossier_state (
  dossier_code     text        PRIMARY KEY,
  agency_code      text        NOT NULL,
  procedure_code   text        NOT NULL,
  status           text        NOT NULL,
  last_event_id    uuid        NOT NULL,
  last_occurred_at timestamptz NOT NULL,
  event_count      integer     NOT NULL,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE dossier_event (
  event_id     uuid        PRIMARY KEY,
  dossier_code text        NOT NULL REFERENCES dossier_state (dossier_code),
  seq          integer     NOT NULL,
  status       text        NOT NULL,
  occurred_at  timestamptz NOT NULL,
  received_at  timestamptz NOT NULL DEFAULT now(),
  request_id   text,
  payload      jsonb       NOT NULL,
  CONSTRAINT dossier_event_seq_unique UNIQUE (dossier_code, seq)
);

-- An event for a dossier that still has unpublished outbox messages must queue behind them.
CREATE INDEX outbox_unpublished_key_idx ON outbox (topic, message_key) WHERE published_at IS NULL;

-- Portal sync: dossiers whose events are waiting on the retry topic. Later events of a parked dossier
-- follow it there so the portal receives every dossier's events in order.
CREATE TABLE portal_sync_parked (
  dossier_code text        NOT NULL,
  event_id     uuid        NOT NULL,
  parked_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (dossier_code, event_id)
);
