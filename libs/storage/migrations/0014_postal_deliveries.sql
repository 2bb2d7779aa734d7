-- Postal result delivery: one delivery order per dossier result with the postal operator, and every tracking
-- state it went through. The receiver's name, address and phone are sent to the operator and not kept here:
-- the operator holds them, and nothing the gateway stores or publishes about a delivery carries them.

CREATE TABLE delivery_order (
  dossier_code   text        PRIMARY KEY,
  agency_code    text        NOT NULL,
  client_id      text        NOT NULL,
  -- the operator's waybill number
  order_number   text        NOT NULL UNIQUE,
  documents      smallint    NOT NULL,
  status         text        NOT NULL,
  -- a fingerprint of the request: the same dossier with another receiver or count is refused
  fingerprint    text        NOT NULL,
  created_at     timestamptz NOT NULL,
  updated_at     timestamptz NOT NULL,
  -- when the parcel was delivered or came back (the indicators count by this time)
  finished_at    timestamptz,
  CONSTRAINT delivery_order_status CHECK (
    status IN ('CREATED', 'PICKED_UP', 'IN_TRANSIT', 'DELIVERED', 'RETURNED'))
);

CREATE INDEX delivery_order_agency_finished_idx ON delivery_order (agency_code, finished_at);

-- Each tracking state applied, in order; the operator's event id makes a repeated callback a no-op.
CREATE TABLE delivery_event (
  id             bigserial   PRIMARY KEY,
  dossier_code   text        NOT NULL REFERENCES delivery_order (dossier_code) ON DELETE CASCADE,
  operator_event text        NOT NULL UNIQUE,
  status         text        NOT NULL,
  occurred_at    timestamptz NOT NULL,
  recorded_at    timestamptz NOT NULL
);

CREATE INDEX delivery_event_dossier_idx ON delivery_event (dossier_code, id);
