-- Non-boundary intake ("tiếp nhận không phụ thuộc địa giới hành chính"): a dossier received by one agency for
-- a procedure another agency resolves is handed over to the competent agency, which accepts or refuses it and
-- returns the result to the receiving agency. One row per dossier: its latest hand-over (a refused one may be
-- handed over again, replacing the row; each step is on lgsp.dossier.handover.v1 and in the audit log).

CREATE TABLE dossier_handover (
  dossier_code        text        PRIMARY KEY,
  procedure_code      text        NOT NULL,
  receiving_agency    text        NOT NULL,
  competent_agency    text        NOT NULL,
  state               text        NOT NULL,
  handed_over_at      timestamptz NOT NULL,
  handed_over_by      text        NOT NULL,
  decided_at          timestamptz,
  decided_by          text,
  -- why the competent agency refused the dossier (never personal data: a reason for the receiving agency)
  reason              text,
  result_returned_at  timestamptz,
  result_returned_by  text,
  CONSTRAINT dossier_handover_state CHECK (
    state IN ('HANDED_OVER', 'ACCEPTED', 'REFUSED', 'RESULT_RETURNED'))
);

CREATE INDEX dossier_handover_competent_idx ON dossier_handover (competent_agency, state);
CREATE INDEX dossier_handover_receiving_idx ON dossier_handover (receiving_agency, handed_over_at);
