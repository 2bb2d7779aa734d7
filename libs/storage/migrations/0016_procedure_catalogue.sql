-- The national procedure catalogue (CSDLQG về TTHC) as last synced from the portal's sharing services
-- (`lienthong catalogue sync`, or the relay's periodic sync). A sync replaces the three tables in one
-- transaction: a sync that fails part-way leaves the previous catalogue in place. The effective catalogue
-- the gateway and the relay route with is these rows overlaid by deploy/config/procedures.yaml.

CREATE TABLE catalogue_sector (
  code        text PRIMARY KEY,
  name        text NOT NULL,
  -- MaNganh: the branch, mapped to a ministry by `branches:` in procedures.yaml
  branch_code text
);

CREATE TABLE catalogue_agency (
  code        text PRIMARY KEY,
  name        text NOT NULL,
  parent_code text
);

CREATE TABLE catalogue_procedure (
  code               text    PRIMARY KEY,
  name               text    NOT NULL,
  sector_code        text,
  -- CapThucHien: "1" central, "2" province, "3" district, "4" commune
  levels             jsonb   NOT NULL DEFAULT '[]',
  -- per lodging channel: { channel, timeLimit: { value, unit }, fees: [{ code, amount, description }] }
  channels           jsonb   NOT NULL DEFAULT '[]',
  components         jsonb   NOT NULL DEFAULT '[]',
  competent_agencies jsonb   NOT NULL DEFAULT '[]',
  non_boundary       boolean NOT NULL DEFAULT false,
  online_payment     boolean NOT NULL DEFAULT false
);

-- One row per sync attempt: what it stored, or the code of why it failed (never a body or personal data).
CREATE TABLE catalogue_sync (
  id          bigserial   PRIMARY KEY,
  started_at  timestamptz NOT NULL,
  finished_at timestamptz NOT NULL,
  outcome     text        NOT NULL,
  procedures  integer,
  sectors     integer,
  agencies    integer,
  skipped     integer,
  error_code  text,
  CONSTRAINT catalogue_sync_outcome CHECK (outcome IN ('SUCCEEDED', 'FAILED'))
);
