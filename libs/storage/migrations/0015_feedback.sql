-- Citizen feedback ("phản ánh, kiến nghị") received from the national feedback system: one row per item,
-- routed to its competent agency, with the answer deadline and how the answer went. The citizen's contact
-- stays in this table only (never on a topic or in the logs).

CREATE TABLE feedback_item (
  id              text        PRIMARY KEY,
  received_at     timestamptz NOT NULL,
  procedure_code  text,
  -- the competent agency (the item's agency code); NULL while the item names none
  agency_code     text,
  content         text        NOT NULL,
  contact         jsonb       NOT NULL DEFAULT '{}',
  status          text        NOT NULL,
  due_at          timestamptz NOT NULL,
  answer          text,
  answered_at     timestamptz,
  answered_by     text,
  stored_at       timestamptz NOT NULL,
  CONSTRAINT feedback_item_status CHECK (
    status IN ('OPEN', 'UNROUTED', 'ANSWERED_ON_TIME', 'ANSWERED_LATE'))
);

CREATE INDEX feedback_item_agency_idx ON feedback_item (agency_code, status, due_at);

-- Where the relay's feedback role stands in the national system's list of new items.
CREATE TABLE feedback_cursor (
  source     text        PRIMARY KEY,
  cursor     text        NOT NULL,
  updated_at timestamptz NOT NULL
);
