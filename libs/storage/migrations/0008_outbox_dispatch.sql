-- The outbox as the only way dossier events reach Kafka (commit, then publish). Rows are spread over
-- shards by a hash of their key, so every key stays in one shard and a shard is published in id order;
-- a gateway instance publishes a shard only while it holds that shard's lease, so several instances
-- share the work without publishing a row twice in normal operation.

ALTER TABLE outbox ADD COLUMN shard smallint NOT NULL DEFAULT 0;
COMMENT ON COLUMN outbox.shard IS 'Dispatch shard: a stable hash of message_key modulo the shard count';

-- The dispatcher reads a shard's unpublished rows in id order; the older id-only index stays for
-- readers that do not know shards.
CREATE INDEX outbox_unpublished_shard_idx ON outbox (shard, id) WHERE published_at IS NULL;

-- Published rows are pruned by age.
CREATE INDEX outbox_published_at_idx ON outbox (published_at) WHERE published_at IS NOT NULL;

CREATE TABLE outbox_lease (
  shard      smallint    PRIMARY KEY,
  owner      text        NOT NULL,
  expires_at timestamptz NOT NULL
);

COMMENT ON TABLE outbox_lease IS 'Which dispatcher publishes each outbox shard, until when (renewed while it works)';
