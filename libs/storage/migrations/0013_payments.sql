-- Online payment through the national payment platform (contracts/upstream/payment-platform): one row per
-- payment request of a dossier fee, and one row per signed result notification the platform sent. A
-- notification is keyed by (transaction, nonce): the same notification again is a replay, ignored. The state
-- change and the outbox record of lgsp.payment.status.v1 are written in one transaction.

CREATE TABLE payment (
  transaction_no   text        PRIMARY KEY,
  order_id         text        NOT NULL UNIQUE,
  dossier_code     text        NOT NULL,
  agency_code      text        NOT NULL,
  client_id        text        NOT NULL,
  amount           bigint      NOT NULL,
  fee_description  text        NOT NULL,
  payment_url      text        NOT NULL,
  status           text        NOT NULL,
  created_at       timestamptz NOT NULL DEFAULT now(),
  settled_at       timestamptz,
  CONSTRAINT payment_status CHECK (status IN ('PENDING', 'CONFIRMED', 'FAILED')),
  CONSTRAINT payment_amount_positive CHECK (amount > 0)
);

CREATE INDEX payment_dossier ON payment (dossier_code) WHERE status = 'CONFIRMED';
CREATE INDEX payment_created ON payment (created_at);

COMMENT ON TABLE payment IS 'Payment requests of dossier fees at the national payment platform, and their outcome';

CREATE TABLE payment_notification (
  transaction_no text        NOT NULL,
  nonce          text        NOT NULL,
  status         text        NOT NULL,
  received_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (transaction_no, nonce)
);

COMMENT ON TABLE payment_notification IS 'Verified result notifications of the payment platform; a repeated (transaction, nonce) is a replay';
