-- The audit records of one dossier by service: the console's portal sync gaps and the scorecard's "not
-- synced to the portal" look up each dossier's last successful portal call (service portal.sync), which
-- without this index is a scan of the whole audit log per dossier.

CREATE INDEX audit_record_dossier_idx ON audit_record (dossier_code, service, occurred_at)
  WHERE dossier_code IS NOT NULL;
