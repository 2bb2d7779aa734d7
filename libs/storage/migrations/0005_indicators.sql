-- Decision 766 indicators (relay): the dossier status events the indicator consumer has applied (idempotency
-- by event id, and the input to re-derive a dossier's facts), and the facts of each dossier from which the
-- counts of any agency and period are computed (libs/domain/src/indicators, IndicatorStore in the relay).
-- The events keep only what the indicators need: no applicant, handler or note.

CREATE TABLE indicator_event (
  event_id     uuid        PRIMARY KEY,
  dossier_code text        NOT NULL,
  occurred_at  timestamptz NOT NULL,
  payload      jsonb       NOT NULL,
  applied_at   timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX indicator_event_dossier_idx ON indicator_event (dossier_code);

CREATE TABLE indicator_dossier (
  dossier_code               text        PRIMARY KEY,
  agency_code                text        NOT NULL,
  received_at                timestamptz,
  due_at                     timestamptz,
  resolved_at                timestamptz,
  -- resolution, or the end without a result (rejected, withdrawn, stopped)
  closed_at                  timestamptz,
  on_time                    boolean,
  online                     boolean     NOT NULL,
  fee_required               boolean     NOT NULL,
  paid_online                boolean     NOT NULL,
  digitised_at_intake        boolean     NOT NULL,
  result_digitised           boolean     NOT NULL,
  components_reused_store    integer     NOT NULL,
  components_reused_portal   integer     NOT NULL,
  rating_score               smallint,
  rated_at                   timestamptz,
  -- formula version whose rules derived these facts
  formula_version            text        NOT NULL,
  event_count                integer     NOT NULL,
  updated_at                 timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX indicator_dossier_received_idx ON indicator_dossier (agency_code, received_at);
CREATE INDEX indicator_dossier_resolved_idx ON indicator_dossier (agency_code, resolved_at);
CREATE INDEX indicator_dossier_rated_idx ON indicator_dossier (agency_code, rated_at);
-- the stock of a period: dossiers received and not yet closed at its evaluation instant
CREATE INDEX indicator_dossier_open_idx ON indicator_dossier (received_at, closed_at);
