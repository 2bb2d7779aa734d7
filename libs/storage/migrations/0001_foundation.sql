-- Transactional outbox of the messaging library: a message is written here in the same transaction as
-- the state change it announces, and a relay publishes it to Kafka and stamps published_at.
-- (schema_migrations itself is created by the migrator before the first migration runs.)

CREATE TABLE outbox (
  id           bigserial   PRIMARY KEY,
  topic        text        NOT NULL,
  message_key  text,
  value        bytea       NOT NULL,
  headers      jsonb       NOT NULL DEFAULT '{}'::jsonb,
  created_at   timestamptz NOT NULL DEFAULT now(),
  published_at timestamptz,
  attempts     integer     NOT NULL DEFAULT 0,
  last_error   text,
  CONSTRAINT outbox_topic_not_empty CHECK (topic <> ''),
  CONSTRAINT outbox_attempts_not_negative CHECK (attempts >= 0),
  CONSTRAINT outbox_headers_is_object CHECK (jsonb_typeof(headers) = 'object')
);

-- The relay reads unpublished messages in id order; published rows drop out of this index.
CREATE INDEX outbox_unpublished_idx ON outbox (id) WHERE published_at IS NULL;

COMMENT ON TABLE outbox IS 'Messages waiting to be (or already) published to Kafka, in id order';
COMMENT ON COLUMN outbox.message_key IS 'Kafka message key (the aggregate id, e.g. the dossier code)';
COMMENT ON COLUMN outbox.value IS 'Kafka message value as bytes (the serialised CloudEvents envelope)';
COMMENT ON COLUMN outbox.headers IS 'Kafka headers as a JSON object of string values';
COMMENT ON COLUMN outbox.attempts IS 'Failed publish attempts so far';
COMMENT ON COLUMN outbox.last_error IS 'Message of the last publish failure (no payload data)';
