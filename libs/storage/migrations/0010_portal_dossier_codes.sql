-- Portal sync, token-based dialect: the dossier code the portal issues when it first receives a dossier.
-- The portal knows a dossier by its own code from then on (updates and progress are addressed to it), so the
-- relay keeps it beside the province's code; losing it would make every later event a refused update.
CREATE TABLE portal_dossier_codes (
  dossier_code text        PRIMARY KEY,
  portal_code  text        NOT NULL CHECK (length(portal_code) BETWEEN 1 AND 64),
  issued_at    timestamptz NOT NULL DEFAULT now()
);
