-- Procedure chains ("liên thông điện tử"): one instance per application, keyed by the parent dossier code,
-- with the state of each step. The runner claims due steps with FOR UPDATE SKIP LOCKED and a lease, so
-- several runners share the work, and a step sent again after a crash carries the same transaction id (the
-- agency systems answer it with the stored result: never a second registration).

CREATE TABLE chain_instance (
  parent_dossier_code text        PRIMARY KEY,
  chain_code          text        NOT NULL,
  agency_code         text        NOT NULL,
  client_id           text        NOT NULL,
  status              text        NOT NULL,
  -- the application's fields, the national databases' and every finished step's results, by chain field name
  fields              jsonb       NOT NULL,
  -- a fingerprint of the application: the same parent code with another application is refused
  fingerprint         text        NOT NULL,
  stop_reason         jsonb,
  created_at          timestamptz NOT NULL,
  updated_at          timestamptz NOT NULL,
  CONSTRAINT chain_instance_status CHECK (status IN ('RUNNING', 'COMPLETED', 'STOPPED', 'FAILED')),
  CONSTRAINT chain_instance_fields_is_object CHECK (jsonb_typeof(fields) = 'object')
);

COMMENT ON TABLE chain_instance IS 'One procedure chain per application, keyed by the parent dossier code';

CREATE TABLE chain_step (
  parent_dossier_code text        NOT NULL REFERENCES chain_instance (parent_dossier_code) ON DELETE CASCADE,
  step_id             text        NOT NULL,
  position            smallint    NOT NULL,
  status              text        NOT NULL,
  -- the agency system's reference of an accepted, undecided request (asynchronous systems)
  reference           text,
  attempts            integer     NOT NULL DEFAULT 0,
  -- when the runner may next work on the step (a claim pushes it forward by the lease)
  next_attempt_at     timestamptz,
  due_at              timestamptz,
  overdue_at          timestamptz,
  refusal_code        text,
  refusal_reason      text,
  last_error          text,
  started_at          timestamptz,
  finished_at         timestamptz,
  PRIMARY KEY (parent_dossier_code, step_id),
  CONSTRAINT chain_step_status CHECK (
    status IN ('WAITING', 'READY', 'SUBMITTED', 'DONE', 'REFUSED', 'SKIPPED', 'FAILED'))
);

CREATE INDEX chain_step_due_idx ON chain_step (next_attempt_at) WHERE status IN ('READY', 'SUBMITTED');

-- Every transition of a chain, in order: what the chain topics will carry, and the chain's history.
CREATE TABLE chain_transition (
  id                  bigserial   PRIMARY KEY,
  parent_dossier_code text        NOT NULL REFERENCES chain_instance (parent_dossier_code) ON DELETE CASCADE,
  step_id             text,
  kind                text        NOT NULL,
  detail              jsonb       NOT NULL DEFAULT '{}',
  at                  timestamptz NOT NULL
);

CREATE INDEX chain_transition_parent_idx ON chain_transition (parent_dossier_code, id);
