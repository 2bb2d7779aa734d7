/**
 * Every environment variable Liên Thông reads, in one table: its type, default and meaning.
 * Apps load the subset they use with `loadEnv`, which fails fast with every problem listed at once.
 * The README's configuration reference is generated from this table (`npm run docs:config`) and a test
 * keeps the two equal.
 */
export type EnvType = 'string' | 'int' | 'bool' | 'url' | 'list' | 'enum';

export interface EnvVar {
  name: string;
  type: EnvType;
  default?: string;
  values?: readonly string[];
  min?: number;
  max?: number;
  apps: readonly ('gateway' | 'relay' | 'simulators' | 'cli' | 'start')[];
  description: string;
}

const ALL = ['gateway', 'relay', 'simulators', 'cli', 'start'] as const;
const SERVICES = ['gateway', 'relay', 'cli', 'start'] as const;

export const ENV_VARS = [
  {
    name: 'KAFKA_BROKERS',
    type: 'list',
    apps: SERVICES,
    description:
      'Comma-separated Kafka bootstrap servers. Unset: `npm start` launches the local KRaft broker and sets it; the apps themselves require it.',
  },
  {
    name: 'KAFKA_CLIENT_ID',
    type: 'string',
    default: 'lienthong',
    apps: SERVICES,
    description:
      "Client id prefix reported to Kafka; each app appends its own name. Also names the gateway's inbound consumer group (`<prefix>-gateway-inbound`).",
  },
  {
    name: 'KAFKA_SECURITY_PROTOCOL',
    type: 'enum',
    default: 'PLAINTEXT',
    values: ['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'],
    apps: SERVICES,
    description:
      "How every Kafka client of the process connects, as the Java client names it: SSL and SASL_SSL use TLS (`KAFKA_TLS_*`), SASL_* authenticate with SASL/SCRAM as the process's own principal (`KAFKA_GATEWAY_*`, `KAFKA_RELAY_*`, `KAFKA_CLI_*`). Use SASL_SSL in production.",
  },
  {
    name: 'KAFKA_SASL_MECHANISM',
    type: 'enum',
    default: 'scram-sha-512',
    values: ['scram-sha-256', 'scram-sha-512'],
    apps: SERVICES,
    description: 'SASL mechanism with `KAFKA_SECURITY_PROTOCOL` SASL_PLAINTEXT or SASL_SSL.',
  },
  {
    name: 'KAFKA_TLS_CA_FILE',
    type: 'string',
    apps: SERVICES,
    description:
      "PEM CA certificate(s) that issued the brokers' certificates (SSL, SASL_SSL). Unset: the system trust store.",
  },
  {
    name: 'KAFKA_TLS_CERT_FILE',
    type: 'string',
    apps: SERVICES,
    description:
      'PEM client certificate for brokers that require TLS client authentication (SSL); with `KAFKA_TLS_KEY_FILE`.',
  },
  {
    name: 'KAFKA_TLS_KEY_FILE',
    type: 'string',
    apps: SERVICES,
    description: 'PEM private key of `KAFKA_TLS_CERT_FILE`.',
  },
  {
    name: 'KAFKA_GATEWAY_USERNAME',
    type: 'string',
    default: 'lienthong-gateway',
    apps: ['gateway', 'cli', 'start'],
    description:
      'SASL/SCRAM user name (Kafka principal `User:<name>`) of the gateway, with `KAFKA_SECURITY_PROTOCOL` SASL_PLAINTEXT or SASL_SSL. `lienthong topics init` grants this principal what the gateway needs.',
  },
  {
    name: 'KAFKA_GATEWAY_PASSWORD',
    type: 'string',
    apps: ['gateway', 'cli', 'start'],
    description:
      'SASL/SCRAM password of `KAFKA_GATEWAY_USERNAME`; prefer `KAFKA_GATEWAY_PASSWORD_FILE` in production.',
  },
  {
    name: 'KAFKA_GATEWAY_PASSWORD_FILE',
    type: 'string',
    apps: ['gateway', 'cli', 'start'],
    description:
      'File holding the password of `KAFKA_GATEWAY_USERNAME` (a mounted secret); used when `KAFKA_GATEWAY_PASSWORD` is unset.',
  },
  {
    name: 'KAFKA_RELAY_USERNAME',
    type: 'string',
    default: 'lienthong-relay',
    apps: ['relay', 'cli', 'start'],
    description:
      'SASL/SCRAM user name (Kafka principal `User:<name>`) of the relay, with `KAFKA_SECURITY_PROTOCOL` SASL_PLAINTEXT or SASL_SSL. `lienthong topics init` grants this principal what the relay needs.',
  },
  {
    name: 'KAFKA_RELAY_PASSWORD',
    type: 'string',
    apps: ['relay', 'cli', 'start'],
    description:
      'SASL/SCRAM password of `KAFKA_RELAY_USERNAME`; prefer `KAFKA_RELAY_PASSWORD_FILE` in production.',
  },
  {
    name: 'KAFKA_RELAY_PASSWORD_FILE',
    type: 'string',
    apps: ['relay', 'cli', 'start'],
    description:
      'File holding the password of `KAFKA_RELAY_USERNAME` (a mounted secret); used when `KAFKA_RELAY_PASSWORD` is unset.',
  },
  {
    name: 'KAFKA_CLI_USERNAME',
    type: 'string',
    default: 'lienthong-cli',
    apps: ['cli', 'start'],
    description:
      'SASL/SCRAM user name (Kafka principal `User:<name>`) of the `lienthong` operator commands, with `KAFKA_SECURITY_PROTOCOL` SASL_PLAINTEXT or SASL_SSL. `lienthong topics init` grants this principal what the `lienthong` operator commands needs.',
  },
  {
    name: 'KAFKA_CLI_PASSWORD',
    type: 'string',
    apps: ['cli', 'start'],
    description:
      'SASL/SCRAM password of `KAFKA_CLI_USERNAME`; prefer `KAFKA_CLI_PASSWORD_FILE` in production.',
  },
  {
    name: 'KAFKA_CLI_PASSWORD_FILE',
    type: 'string',
    apps: ['cli', 'start'],
    description:
      'File holding the password of `KAFKA_CLI_USERNAME` (a mounted secret); used when `KAFKA_CLI_PASSWORD` is unset.',
  },
  {
    name: 'KAFKA_ADMIN_USERNAME',
    type: 'string',
    apps: ['cli', 'start'],
    description:
      'SASL/SCRAM user that `lienthong topics init` connects as to create topics and ACLs (needs CREATE and ALTER on the cluster: a super user). Unset: the `KAFKA_CLI_*` credentials.',
  },
  {
    name: 'KAFKA_ADMIN_PASSWORD',
    type: 'string',
    apps: ['cli', 'start'],
    description: 'Password of `KAFKA_ADMIN_USERNAME`.',
  },
  {
    name: 'KAFKA_ADMIN_PASSWORD_FILE',
    type: 'string',
    apps: ['cli', 'start'],
    description:
      'File holding the password of `KAFKA_ADMIN_USERNAME`; used when `KAFKA_ADMIN_PASSWORD` is unset.',
  },
  {
    name: 'KAFKA_PARTITIONS',
    type: 'int',
    default: '6',
    min: 1,
    apps: ['cli', 'start'],
    description: 'Partition count used when creating the registry topics (`lienthong topics init`).',
  },
  {
    name: 'KAFKA_REPLICATION_FACTOR',
    type: 'int',
    default: '1',
    min: 1,
    apps: ['cli', 'start'],
    description:
      'Replication factor used when creating topics; use 3 on a production cluster. Unset, npm start gives the topics of a local cluster (`KAFKA_LOCAL_BROKERS` 3) 3 copies.',
  },
  {
    name: 'KAFKA_MIN_INSYNC_REPLICAS',
    type: 'int',
    min: 1,
    apps: ['cli', 'start'],
    description:
      "`min.insync.replicas` of the topics `lienthong topics init` creates: how many replicas must hold a record before an acks=all produce is acknowledged (2 with replication factor 3 in production, so one broker can be lost without losing or refusing a write). Unset: the brokers' own default; npm start uses 2 on a local cluster of 3.",
  },
  {
    name: 'KAFKA_SEND_TIMEOUT_MS',
    type: 'int',
    default: '5000',
    min: 100,
    apps: ['gateway', 'relay'],
    description:
      'A produce that has not been acknowledged (acks=all) within this time is rejected to the caller.',
  },
  {
    name: 'KAFKA_SESSION_TIMEOUT_MS',
    type: 'int',
    default: '10000',
    min: 6000,
    apps: ['gateway', 'relay'],
    description:
      "Session timeout of the apps' consumer groups: a member that has not heartbeated for this long is dropped and its partitions go to the others. It bounds how long a killed relay's partitions, or a consumer that restarted after the brokers came back, wait before they are read again. Heartbeats go every third of it (at most every 3 s); at least the brokers' `group.min.session.timeout.ms` (6 s by default).",
  },
  {
    name: 'KAFKA_HEALTH_TIMEOUT_MS',
    type: 'int',
    default: '2000',
    min: 100,
    apps: ['gateway', 'relay'],
    description:
      'Readiness gives up on the broker (admin describeCluster) after this long and reports Kafka down.',
  },
  {
    name: 'KAFKA_LOCAL_PORT',
    type: 'int',
    default: '9092',
    min: 1,
    max: 65535,
    apps: ['start'],
    description:
      'Port of the local broker that `npm start` and `npm run kafka:local` launch (controller on the next port).',
  },
  {
    name: 'KAFKA_LOCAL_DATA_DIR',
    type: 'string',
    default: 'var/kafka',
    apps: ['start'],
    description:
      'Data directory (KRaft log, server.log) of the local broker; relative paths are from the repository root.',
  },
  {
    name: 'KAFKA_LOCAL_BROKERS',
    type: 'int',
    default: '1',
    min: 1,
    max: 5,
    apps: ['start'],
    description:
      'Brokers of the local Kafka that `npm start` and `npm run kafka:local` launch. 1: a lone broker. 3: a KRaft cluster of three combined broker and controller nodes on 127.0.0.1 (node n on `KAFKA_LOCAL_PORT` + 2(n-1), its controller on the next port; data in `KAFKA_LOCAL_DATA_DIR`/cluster-3/node-n) whose topics get replication factor 3 and `min.insync.replicas` 2.',
  },
  {
    name: 'KAFKA_LOCAL_SASL',
    type: 'bool',
    default: 'false',
    apps: ['start'],
    description:
      "Runs the local broker with SASL/SCRAM (SASL_PLAINTEXT) and its ACL authorizer: SCRAM users for the gateway, relay, CLI and an `admin` super user, passwords kept in `var/secrets/`, ACLs granted by `topics init`. npm start hands the apps their credentials. Its data lives apart from the plain broker's (`kraft-logs-sasl`).",
  },
  {
    name: 'CONSUMER_MAX_ATTEMPTS',
    type: 'int',
    default: '5',
    min: 1,
    apps: ['gateway', 'relay'],
    description:
      'Attempts for a message whose handler fails transiently, before it goes to the dead-letter topic. Waiting for an unavailable Kafka does not count.',
  },
  {
    name: 'CONSUMER_RETRY_BASE_MS',
    type: 'int',
    default: '200',
    min: 1,
    apps: ['gateway', 'relay'],
    description:
      'First retry delay of a consumer handler; doubles per attempt (with jitter), capped at 30 s.',
  },
  {
    name: 'PROCEDURES_FILE',
    type: 'string',
    default: 'deploy/config/procedures.yaml',
    apps: ['gateway', 'relay', 'cli', 'start'],
    description:
      'Procedure catalogue (procedure → sector → ministry, and what each ministry’s copy may carry) used to route dossier events to ministry topics, and by ingest to refuse procedures it cannot route; it overrides the synced national catalogue entry by entry and maps its branch codes to ministries (`branches:`). Relative to the repository root.',
  },
  {
    name: 'UNKNOWN_PROCEDURE_POLICY',
    type: 'enum',
    default: 'refuse',
    values: ['refuse', 'unrouted'],
    apps: ['gateway', 'relay', 'start'],
    description:
      'What happens to a dossier event whose procedure (and sector) the catalogue cannot route to a ministry. `refuse`: ingest answers 422 `UNKNOWN_PROCEDURE` and records nothing. `unrouted`: ingest accepts it and ministry routing publishes it to `lgsp.dossier.unrouted.v1` (metric `lgsp_relay_unrouted_total`, alert `LienThongDossierEventsUnrouted`) for an operator to add the procedure and replay. Set the gateway and the relay alike.',
  },
  {
    name: 'CATALOGUE_RELOAD_MS',
    type: 'int',
    default: '60000',
    min: 0,
    apps: ['gateway', 'relay'],
    description:
      'How often the gateway (ingest check) and the relay (ministry routing) look for a newer sync of the national procedure catalogue in the database and rebuild the effective catalogue (synced rows overlaid by PROCEDURES_FILE); a sync in the same process is picked up at once. 0: only at start (and after a sync in the process). A relay running ministry routing alone reads the synced catalogue on PostgreSQL (DATABASE_URL); on embedded PGlite it routes by PROCEDURES_FILE alone.',
  },
  {
    name: 'CATALOGUE_SYNC_INTERVAL_MS',
    type: 'int',
    default: '86400000',
    min: 0,
    apps: ['relay'],
    description:
      'How often the relay syncs the national procedure catalogue from the portal (LayDanhSachTTHC, LayThuTuc, LayDanhMucLinhVuc, LayDanhMucCoQuan), first at start; 0 turns it off (`lienthong catalogue sync` still works). Needs PORTAL_URL (OpenCPS-era dialect) and a relay with a database.',
  },
  {
    name: 'CATALOGUE_SYNC_CONCURRENCY',
    type: 'int',
    default: '4',
    min: 1,
    apps: ['relay', 'cli'],
    description: 'LayThuTuc calls in flight at once during a catalogue sync (one per procedure code).',
  },
  {
    name: 'CHAINS_FILE',
    type: 'string',
    default: 'deploy/config/chains.yaml',
    apps: ['gateway', 'relay', 'cli'],
    description:
      'Procedure chains across agencies (steps, agency systems, what each step needs and produces, time limits, refusal policy), format contracts/config/chains.schema.json; relative to the repository root. Checked by `lienthong config check`.',
  },
  {
    name: 'CHAIN_CIVIL_STATUS_URL',
    type: 'url',
    apps: ['relay'],
    description:
      "Base URL of the civil-status system (Ministry of Justice, interface `civil-status-v1`: XML over HTTP with Basic authentication), for the relay's `chains` role. Unset: the chains role is off unless RELAY_ROLES names it.",
  },
  {
    name: 'CHAIN_CIVIL_STATUS_CA_PATH',
    type: 'string',
    apps: ['relay'],
    description:
      "PEM CA certificate(s) of that system's HTTPS server certificate (a pinned CA); required for an `https` URL in production mode.",
  },
  {
    name: 'CHAIN_CIVIL_STATUS_USERNAME',
    type: 'string',
    default: 'lienthong',
    apps: ['relay'],
    description: 'Connection account of the province at the civil-status system.',
  },
  {
    name: 'CHAIN_CIVIL_STATUS_PASSWORD',
    type: 'string',
    default: 'lienthong-dev',
    apps: ['relay'],
    description: 'Password of that account; set it from a secret in production.',
  },
  {
    name: 'CHAIN_RESIDENCE_URL',
    type: 'url',
    apps: ['relay'],
    description:
      "Base URL of the residence database (Ministry of Public Security, interface `residence-v1`: JSON behind an OAuth 2.0 client-credentials token), for the relay's `chains` role. Unset: the chains role is off unless RELAY_ROLES names it.",
  },
  {
    name: 'CHAIN_RESIDENCE_CA_PATH',
    type: 'string',
    apps: ['relay'],
    description:
      "PEM CA certificate(s) of that system's HTTPS server certificate (a pinned CA); required for an `https` URL in production mode.",
  },
  {
    name: 'CHAIN_RESIDENCE_CLIENT_ID',
    type: 'string',
    default: 'lienthong',
    apps: ['relay'],
    description: 'OAuth 2.0 client id of the province at the residence database.',
  },
  {
    name: 'CHAIN_RESIDENCE_CLIENT_SECRET',
    type: 'string',
    default: 'lienthong-dev-secret',
    apps: ['relay'],
    description: 'Its client secret; set it from a secret in production.',
  },
  {
    name: 'CHAIN_SOCIAL_SECURITY_URL',
    type: 'url',
    apps: ['relay'],
    description:
      "Base URL of Vietnam Social Security (interface `social-security-v1`: HMAC-SHA256-signed JSON, decided asynchronously), for the relay's `chains` role. Unset: the chains role is off unless RELAY_ROLES names it.",
  },
  {
    name: 'CHAIN_SOCIAL_SECURITY_CA_PATH',
    type: 'string',
    apps: ['relay'],
    description:
      "PEM CA certificate(s) of that system's HTTPS server certificate (a pinned CA); required for an `https` URL in production mode.",
  },
  {
    name: 'CHAIN_SOCIAL_SECURITY_CLIENT_ID',
    type: 'string',
    default: 'lienthong',
    apps: ['relay'],
    description: 'Client id the province signs its requests to Vietnam Social Security with.',
  },
  {
    name: 'CHAIN_SOCIAL_SECURITY_SECRET',
    type: 'string',
    default: 'lienthong-dev-hmac-secret',
    apps: ['relay'],
    description: 'The shared HMAC secret of those signatures; set it from a secret in production.',
  },
  {
    name: 'POSTAL_URL',
    type: 'url',
    apps: ['gateway'],
    description:
      'Base URL of the public postal service\'s delivery API (VNPost "Bưu chính công ích"; REST/JSON behind an API token, contracts/upstream/postal), for POST /v1/deliveries. Unset: the deliveries routes answer 503 POSTAL_NOT_CONFIGURED.',
  },
  {
    name: 'POSTAL_CA_PATH',
    type: 'string',
    apps: ['gateway'],
    description:
      "PEM CA certificate(s) of the postal operator's HTTPS server certificate (a pinned CA); required for an `https` URL in production mode.",
  },
  {
    name: 'POSTAL_TOKEN',
    type: 'string',
    default: 'lienthong-dev-postal-token',
    apps: ['gateway'],
    description:
      'The API token the postal operator issued to the province; set it from a secret in production.',
  },
  {
    name: 'POSTAL_WEBHOOK_SECRET',
    type: 'string',
    default: 'lienthong-dev-postal-webhook-secret',
    apps: ['gateway'],
    description:
      'The secret the postal operator signs its tracking callbacks with (HMAC-SHA256, POST /v1/deliveries/callbacks); set it from a secret in production.',
  },
  {
    name: 'CHAIN_RUNNER_INTERVAL_MS',
    type: 'int',
    default: '1000',
    min: 50,
    apps: ['relay'],
    description:
      "How often the relay's `chains` role looks for due chain steps (steps ready to send, undecided ones to poll, retries); it looks again at once while it finds work.",
  },
  {
    name: 'FEEDBACK_URL',
    type: 'url',
    apps: ['gateway', 'relay'],
    description:
      "Base URL of the national feedback system (phản ánh, kiến nghị on the National Public Service Portal; interface assumed in contracts/upstream/feedback): the relay's `feedback` role fetches new items from it, the gateway sends the agencies' answers to it. Unset: the feedback role is off unless RELAY_ROLES names it, and `POST /v1/feedback/{id}/answer` answers 503.",
  },
  {
    name: 'FEEDBACK_CA_PATH',
    type: 'string',
    apps: ['gateway', 'relay'],
    description:
      "PEM CA certificate(s) of the feedback system's HTTPS server certificate (a pinned CA); required for an `https` URL in production mode.",
  },
  {
    name: 'FEEDBACK_API_KEY',
    type: 'string',
    default: 'lienthong-feedback-dev-key',
    apps: ['gateway', 'relay'],
    description:
      'API key of the province at the national feedback system; set it from a secret in production.',
  },
  {
    name: 'FEEDBACK_POLL_INTERVAL_MS',
    type: 'int',
    default: '60000',
    min: 50,
    apps: ['relay'],
    description:
      "How often the relay's `feedback` role asks the national feedback system for new items; it asks again at once while pages follow.",
  },
  {
    name: 'FEEDBACK_ANSWER_WORKING_DAYS',
    type: 'int',
    default: '10',
    min: 1,
    apps: ['gateway', 'relay'],
    description:
      'Working days an agency has to answer a feedback item, counted from the day after the national system received it (Vietnam time, weekends off). 10 is assumed from the feedback regulation (Decree 20/2008/NĐ-CP as amended); not confirmed against the national system.',
  },
  {
    name: 'MINISTRY_PSEUDONYM_KEY',
    type: 'string',
    apps: ['relay', 'start'],
    description:
      'Secret key from which the relay derives one key per ministry (HKDF-SHA256 over the ministry slug) for the HMAC-SHA256 pseudonym that replaces the applicant’s personal ID or enterprise code in a ministry’s copy of dossier events, unless the catalogue grants that ministry the identifier (docs/security/ministries.md). At least 32 bytes; `base64:` or `hex:` prefix for binary keys, e.g. base64: followed by `openssl rand -base64 48`. Required by the relay; production must set it from a secret store; npm start on embedded defaults keeps one in `var/secrets/`. Changing it changes every pseudonym, so ministries can no longer link new events to earlier ones.',
  },
  {
    name: 'PORTAL_URL',
    type: 'url',
    apps: ['relay', 'gateway', 'start', 'cli'],
    description:
      'Base URL of the National Public Service Portal sync API (`adapter_url` of the integrations); the login, integration and sharing paths are appended to it. Unset: portal sync is off in the relay and `GET /v1/indicators/reconcile` answers 503 in the gateway (`npm start` points both at the simulator).',
  },
  {
    name: 'PORTAL_CA_PATH',
    type: 'string',
    apps: ['relay', 'gateway', 'cli'],
    description:
      'PEM CA certificate(s) that issued the portal HTTPS server certificate (a pinned CA, instead of the system trust store). Required for an `https` URL in production mode.',
  },
  {
    name: 'PORTAL_DIALECT',
    type: 'enum',
    default: 'opencps',
    values: ['opencps', 'token-2025'],
    apps: ['relay', 'gateway', 'cli'],
    description:
      'Which portal API this deployment speaks, decided when the province connects: `opencps`, the OpenCPS-era dialect the independent integrations use (login with `PORTAL_USERNAME`/`PORTAL_PASSWORD`, `dstcode`, `yyyyMMddHHmmss` dates), or `token-2025`, the newer token-based API seen in 2025 clients (client credentials `PORTAL_CLIENT_ID`/`PORTAL_CLIENT_SECRET`, portal-issued dossier codes kept by the relay, ISO 8601 dates; its shape is assumed, docs/domain.md). The simulator speaks both.',
  },
  {
    name: 'PORTAL_USERNAME',
    type: 'string',
    default: 'lienthong',
    apps: ['relay', 'gateway', 'cli'],
    description: "The province's connection account on the portal (the simulator's default for local runs).",
  },
  {
    name: 'PORTAL_PASSWORD',
    type: 'string',
    default: 'lienthong-dev',
    apps: ['relay', 'gateway', 'cli'],
    description: 'Password of the portal connection account; set it from a secret in production.',
  },
  {
    name: 'PORTAL_UNIT_CODE',
    type: 'string',
    default: '000.00.00.H56',
    apps: ['relay', 'gateway', 'cli'],
    description: "The province's unit code (mã đơn vị), sent as `madonvi` in the body of every portal call.",
  },
  {
    name: 'PORTAL_DSTCODE',
    type: 'string',
    default: 'DVCQG',
    apps: ['relay', 'gateway', 'cli'],
    description:
      'Destination code sent as the `dstcode` header with every portal request, the login included, as the integrations send it (issued with the connection account; the default is the simulator’s).',
  },
  {
    name: 'PORTAL_LOGIN_PATH',
    type: 'string',
    default: '/api/login',
    apps: ['relay', 'gateway', 'cli'],
    description: 'Path of the portal login (`auth_endpoint` of the integrations), appended to `PORTAL_URL`.',
  },
  {
    name: 'PORTAL_INTEGRATION_PATH',
    type: 'string',
    default: '/api/service',
    apps: ['relay', 'gateway', 'cli'],
    description:
      'Path of the portal integration endpoint (`integration_endpoint`: DongBoHoSoMC, CapNhatTienDoHoSoMC, TraCuuHoSo).',
  },
  {
    name: 'PORTAL_SHARE_PATH',
    type: 'string',
    default: '/api/share',
    apps: ['relay', 'gateway', 'cli'],
    description:
      'Path of the portal sharing endpoint (`share_endpoint`: TraCuuTechID, and LayKetQuaDanhGia, the portal’s own evaluation the gateway reconciles with).',
  },
  {
    name: 'PORTAL_TOKEN_PATH',
    type: 'string',
    default: '/oauth2/token',
    apps: ['relay', 'gateway'],
    description:
      'With `PORTAL_DIALECT=token-2025`: path of the OAuth 2.0 token endpoint (client-credentials grant), appended to `PORTAL_URL`.',
  },
  {
    name: 'PORTAL_API_PATH',
    type: 'string',
    default: '/api/v2',
    apps: ['relay', 'gateway'],
    description:
      'With `PORTAL_DIALECT=token-2025`: path under `PORTAL_URL` of the dossier and evaluation resources (`/dossiers`, `/dossiers/{code}`, `/dossiers/{code}/progress`, `/evaluations`).',
  },
  {
    name: 'PORTAL_CLIENT_ID',
    type: 'string',
    default: 'lienthong',
    apps: ['relay', 'gateway'],
    description:
      "With `PORTAL_DIALECT=token-2025`: the province's OAuth 2.0 client id at the portal (the simulator's default for local runs).",
  },
  {
    name: 'PORTAL_CLIENT_SECRET',
    type: 'string',
    default: 'lienthong-dev-secret',
    apps: ['relay', 'gateway'],
    description:
      'With `PORTAL_DIALECT=token-2025`: the OAuth 2.0 client secret (the default is the simulator’s); set it from a secret in production.',
  },
  {
    name: 'PORTAL_TOKEN_SCOPE',
    type: 'string',
    apps: ['relay', 'gateway'],
    description:
      'With `PORTAL_DIALECT=token-2025`: the scope asked for with the token, when the portal wants one. Unset: none asked.',
  },
  {
    name: 'PORTAL_EXTRA_HEADERS',
    type: 'string',
    apps: ['relay', 'gateway', 'cli'],
    description:
      'More headers sent with every portal request, as `Name=value` pairs separated by commas (e.g. an API key of the provincial gateway in front of the portal). `dstcode`, `Content-Type` and the transport headers cannot be set here.',
  },
  {
    name: 'PORTAL_SESSION_MAX_AGE_MS',
    type: 'int',
    default: '1200000',
    min: 1000,
    apps: ['relay', 'gateway', 'cli'],
    description:
      'A portal session is used at most this long before logging in again. The portal announces no lifetime; a refused call logs in again at once in any case.',
  },
  {
    name: 'PORTAL_TECH_ID_LOOKUP',
    type: 'bool',
    default: 'true',
    apps: ['relay'],
    description:
      'Look up the portal account id (`MaDoiTuong`) of an enterprise that lodged online with TraCuuTechID, by its enterprise code. A citizen’s account is never looked up (that would send the personal ID).',
  },
  {
    name: 'PORTAL_RETRYABLE_CODES',
    type: 'list',
    apps: ['relay', 'cli'],
    description:
      'Non-zero portal `error_code` values that mean "try again later" for this deployment (answered as transient, retried). The integrations know only 0 and not 0; unset, every non-zero answer is a rejection.',
  },
  {
    name: 'PORTAL_TIMEOUT_MS',
    type: 'int',
    default: '10000',
    min: 100,
    apps: ['relay', 'gateway', 'cli'],
    description: 'Timeout of one portal HTTP exchange (the resilience policy’s per-attempt timeout).',
  },
  {
    name: 'PORTAL_SYNC_MAX_ATTEMPTS',
    type: 'int',
    default: '8',
    min: 1,
    apps: ['relay'],
    description: 'Delivery attempts of an event waiting on the retry topic before it is dead-lettered.',
  },
  {
    name: 'PORTAL_RETRY_BASE_MS',
    type: 'int',
    default: '1000',
    min: 1,
    apps: ['relay'],
    description: 'First delay of a portal retry; doubles per attempt (a 429 Retry-After is honoured).',
  },
  {
    name: 'PORTAL_RETRY_MAX_MS',
    type: 'int',
    default: '300000',
    min: 1,
    apps: ['relay'],
    description: 'Longest delay between two portal retries of one event.',
  },
  {
    name: 'PORTAL_SYNC_CONCURRENCY',
    type: 'int',
    default: '16',
    min: 1,
    max: 256,
    apps: ['relay'],
    description:
      "Dossiers the portal sync works on at once in one relay process; each dossier's events go one after another, in order.",
  },
  {
    name: 'OPERATIONS_CENTER_URL',
    type: 'url',
    apps: ['relay', 'start'],
    description:
      'Base URL of the Government operations center reporting API (token endpoint `<url>/oauth2/token`). Unset: indicator reports are neither scheduled nor delivered (`lienthong indicators report` still queues them).',
  },
  {
    name: 'OPERATIONS_CENTER_CA_PATH',
    type: 'string',
    apps: ['relay'],
    description:
      'PEM CA certificate(s) that issued the operations center HTTPS server certificate (a pinned CA, instead of the system trust store). Required for an `https` URL in production mode.',
  },
  {
    name: 'OPERATIONS_CENTER_CLIENT_ID',
    type: 'string',
    default: 'lienthong-relay',
    apps: ['relay'],
    description:
      "OAuth 2.0 client id of the province's relay at the operations center (the simulator's default).",
  },
  {
    name: 'OPERATIONS_CENTER_CLIENT_SECRET',
    type: 'string',
    default: 'lienthong-dev-secret',
    apps: ['relay'],
    description:
      'OAuth 2.0 client secret of the relay at the operations center (the default is the simulator’s); set it from a secret in production.',
  },
  {
    name: 'OPERATIONS_CENTER_TIMEOUT_MS',
    type: 'int',
    default: '10000',
    min: 100,
    apps: ['relay'],
    description: 'Timeout of one call to the operations center (each quick retry has its own).',
  },
  {
    name: 'OPERATIONS_CENTER_MAX_ATTEMPTS',
    type: 'int',
    default: '8',
    min: 1,
    apps: ['relay'],
    description:
      'Delivery attempts of an indicator report waiting on its retry topic before it is dead-lettered.',
  },
  {
    name: 'OPERATIONS_CENTER_RETRY_BASE_MS',
    type: 'int',
    default: '1000',
    min: 1,
    apps: ['relay'],
    description:
      'First delay of an operations-center retry; doubles per attempt (a 429 Retry-After is honoured).',
  },
  {
    name: 'OPERATIONS_CENTER_RETRY_MAX_MS',
    type: 'int',
    default: '300000',
    min: 1,
    apps: ['relay'],
    description: 'Longest delay between two operations-center retries of one report.',
  },
  {
    name: 'INDICATOR_REPORT_SCHEDULE',
    type: 'int',
    default: '3600000',
    min: 0,
    apps: ['relay'],
    description:
      'Interval in milliseconds at which the relay computes the indicator reports of the current and previous day, month and quarter and queues every changed one for the operations center (first run shortly after start); 0 turns the schedule off. Only with `OPERATIONS_CENTER_URL` set.',
  },
  {
    name: 'SIMULATOR_PORTAL_PORT',
    type: 'int',
    default: '4004',
    min: 0,
    max: 65535,
    apps: ['simulators', 'start'],
    description: 'Port of the public service portal simulator.',
  },
  {
    name: 'SIMULATOR_POPULATION_PORT',
    type: 'int',
    default: '4001',
    min: 0,
    max: 65535,
    apps: ['simulators', 'start'],
    description:
      'HTTPS port (mutual TLS) of the National Population Database simulator. Needs the dev PKI (`lienthong pki init`; npm start creates it).',
  },
  {
    name: 'SIMULATOR_BUSINESS_REGISTRY_PORT',
    type: 'int',
    default: '4002',
    min: 0,
    max: 65535,
    apps: ['simulators', 'start'],
    description: 'Port of the Business Registration Database simulator.',
  },
  {
    name: 'SIMULATOR_LAND_PORT',
    type: 'int',
    default: '4003',
    min: 0,
    max: 65535,
    apps: ['simulators', 'start'],
    description: 'Port of the Land Database simulator.',
  },
  {
    name: 'SIMULATOR_OPERATIONS_CENTER_PORT',
    type: 'int',
    default: '4005',
    min: 0,
    max: 65535,
    apps: ['simulators', 'start'],
    description: 'Port of the Government operations center simulator.',
  },
  {
    name: 'PKI_DIR',
    type: 'string',
    default: 'var/pki',
    apps: ['gateway', 'simulators', 'cli', 'start'],
    description:
      'Development PKI (`lienthong pki init`): CA, simulator and gateway certificates. The gateway falls back to it for each `POPULATION_*_PATH` left unset.',
  },
  {
    name: 'POPULATION_URL',
    type: 'url',
    apps: ['gateway', 'start'],
    description:
      'SOAP endpoint of the National Population Database, e.g. `https://127.0.0.1:4001/ws/congdan`. Unset: citizen lookups answer 503 `UPSTREAM_NOT_CONFIGURED`.',
  },
  {
    name: 'POPULATION_CLIENT_KEY_PATH',
    type: 'string',
    apps: ['gateway'],
    description:
      'PEM private key of the gateway for mutual TLS with the population database and for signing its SOAP requests. Unset: the dev PKI `gateway` key.',
  },
  {
    name: 'POPULATION_CLIENT_CERT_PATH',
    type: 'string',
    apps: ['gateway'],
    description:
      'PEM certificate matching `POPULATION_CLIENT_KEY_PATH`. Unset: the dev PKI `gateway` certificate.',
  },
  {
    name: 'POPULATION_CA_PATH',
    type: 'string',
    apps: ['gateway'],
    description:
      'PEM CA certificate(s) that issued the population database server certificate. Unset: the dev CA.',
  },
  {
    name: 'POPULATION_SIGNING_CERT_PATH',
    type: 'string',
    apps: ['gateway'],
    description:
      'PEM certificate(s) the population database signs its answers with; any other signer is refused. Unset: the dev PKI `population-signer`.',
  },
  {
    name: 'POPULATION_TIMEOUT_MS',
    type: 'int',
    default: '3000',
    min: 50,
    apps: ['gateway'],
    description: 'Timeout of one call to the population database (each retry has its own).',
  },
  {
    name: 'POPULATION_VALIDITY_MS',
    type: 'int',
    default: '86400000',
    min: 0,
    apps: ['gateway'],
    description:
      'How long a verified citizen answer may be reused (`validUntil`, Decree 47/2020 art. 41); 0 disables the cache for this upstream.',
  },
  {
    name: 'BUSINESS_REGISTRY_URL',
    type: 'url',
    apps: ['gateway', 'start'],
    description:
      'Base URL of the Business Registration Database API (token endpoint `<url>/oauth2/token`). Unset: enterprise lookups answer 503 `UPSTREAM_NOT_CONFIGURED`.',
  },
  {
    name: 'BUSINESS_REGISTRY_CA_PATH',
    type: 'string',
    apps: ['gateway'],
    description:
      'PEM CA certificate(s) that issued the business registry HTTPS server certificate (a pinned CA, instead of the system trust store). Required for an `https` URL in production mode.',
  },
  {
    name: 'BUSINESS_REGISTRY_CLIENT_ID',
    type: 'string',
    default: 'lienthong-gateway',
    apps: ['gateway'],
    description: 'OAuth 2.0 client id of the gateway at the business registry.',
  },
  {
    name: 'BUSINESS_REGISTRY_CLIENT_SECRET',
    type: 'string',
    default: 'lienthong-dev-secret',
    apps: ['gateway'],
    description:
      'OAuth 2.0 client secret of the gateway at the business registry (the default is the simulator’s).',
  },
  {
    name: 'BUSINESS_REGISTRY_TIMEOUT_MS',
    type: 'int',
    default: '3000',
    min: 50,
    apps: ['gateway'],
    description: 'Timeout of one call to the business registry.',
  },
  {
    name: 'BUSINESS_REGISTRY_VALIDITY_MS',
    type: 'int',
    default: '604800000',
    min: 0,
    apps: ['gateway'],
    description:
      'How long a verified enterprise answer may be reused; 0 disables the cache for this upstream.',
  },
  {
    name: 'LAND_URL',
    type: 'url',
    apps: ['gateway', 'start'],
    description:
      'Base URL of the Land Database lookup service. Unset: parcel lookups answer 503 `UPSTREAM_NOT_CONFIGURED`.',
  },
  {
    name: 'LAND_CA_PATH',
    type: 'string',
    apps: ['gateway'],
    description:
      'PEM CA certificate(s) that issued the land database HTTPS server certificate (a pinned CA, instead of the system trust store). Required for an `https` URL in production mode.',
  },
  {
    name: 'POPULATION_ROUTE',
    type: 'enum',
    default: 'direct',
    values: ['direct', 'ndxp', 'ndop'],
    apps: ['gateway'],
    description:
      'How the gateway reaches the National Population Database: `direct` to `POPULATION_URL`, or through the national data exchange platform (`ndxp`, `NDXP_*`) or the national data orchestration platform (`ndop`, `NDOP_*`), which forward to it by its service code.',
  },
  {
    name: 'BUSINESS_REGISTRY_ROUTE',
    type: 'enum',
    default: 'direct',
    values: ['direct', 'ndxp', 'ndop'],
    apps: ['gateway'],
    description:
      'How the gateway reaches the Business Registration Database: `direct` to `BUSINESS_REGISTRY_URL`, or through the national data exchange platform (`ndxp`, `NDXP_*`) or the national data orchestration platform (`ndop`, `NDOP_*`), which forward to it by its service code.',
  },
  {
    name: 'LAND_ROUTE',
    type: 'enum',
    default: 'direct',
    values: ['direct', 'ndxp', 'ndop'],
    apps: ['gateway'],
    description:
      'How the gateway reaches the land database: `direct` to `LAND_URL`, or through the national data exchange platform (`ndxp`, `NDXP_*`) or the national data orchestration platform (`ndop`, `NDOP_*`), which forward to it by its service code.',
  },
  {
    name: 'NDXP_URL',
    type: 'url',
    apps: ['gateway'],
    description:
      'Service endpoint of the national data exchange platform (NDXP); required when an upstream’s `*_ROUTE` is `ndxp`. The upstream’s service code and path follow it (docs/operations/exchange-platforms.md).',
  },
  {
    name: 'NDXP_CLIENT_ID',
    type: 'string',
    default: 'lienthong',
    apps: ['gateway'],
    description: 'Liên Thông’s member id on the NDXP platform, sent in `x-ndxp-client`.',
  },
  {
    name: 'NDXP_API_KEY',
    type: 'string',
    apps: ['gateway'],
    description:
      'The credential the NDXP platform issued to Liên Thông, sent in `x-ndxp-key`; required with `NDXP_URL`.',
  },
  {
    name: 'NDXP_CA_PATH',
    type: 'string',
    apps: ['gateway'],
    description:
      'PEM CA certificate(s) that issued the NDXP platform’s HTTPS server certificate (a pinned CA).',
  },
  {
    name: 'NDOP_URL',
    type: 'url',
    apps: ['gateway'],
    description:
      'Service endpoint of the national data orchestration platform (NDOP, Decree 278/2025/NĐ-CP); required when an upstream’s `*_ROUTE` is `ndop`. The upstream’s service code and path follow it (docs/operations/exchange-platforms.md).',
  },
  {
    name: 'NDOP_CLIENT_ID',
    type: 'string',
    default: 'lienthong',
    apps: ['gateway'],
    description: 'Liên Thông’s member id on the NDOP platform, sent in `x-ndop-client`.',
  },
  {
    name: 'NDOP_API_KEY',
    type: 'string',
    apps: ['gateway'],
    description:
      'The credential the NDOP platform issued to Liên Thông, sent in `x-ndop-key`; required with `NDOP_URL`.',
  },
  {
    name: 'NDOP_CA_PATH',
    type: 'string',
    apps: ['gateway'],
    description:
      'PEM CA certificate(s) that issued the NDOP platform’s HTTPS server certificate (a pinned CA).',
  },
  {
    name: 'LAND_API_KEY',
    type: 'string',
    apps: ['gateway'],
    description: 'Sent as `X-Api-Key` to the land database when it requires one.',
  },
  {
    name: 'LAND_TIMEOUT_MS',
    type: 'int',
    default: '3000',
    min: 50,
    apps: ['gateway'],
    description: 'Timeout of one call to the land database.',
  },
  {
    name: 'LAND_VALIDITY_MS',
    type: 'int',
    default: '86400000',
    min: 0,
    apps: ['gateway'],
    description: 'How long a verified parcel answer may be reused; 0 disables the cache for this upstream.',
  },
  {
    name: 'PAYMENT_PLATFORM_URL',
    type: 'url',
    apps: ['gateway', 'cli'],
    description:
      'Base URL of the national payment platform (contracts/upstream/payment-platform; simulator: apps/simulators/src/payment-platform). Unset: `POST /v1/payments` answers 503 PAYMENT_PLATFORM_NOT_CONFIGURED; result notifications are still verified with PAYMENT_SECRET_KEY.',
  },
  {
    name: 'PAYMENT_MERCHANT_CODE',
    type: 'string',
    default: 'LIENTHONG',
    apps: ['gateway', 'cli'],
    description:
      "The province's merchant code at the national payment platform (the default is the simulator's).",
  },
  {
    name: 'PAYMENT_SECRET_KEY',
    type: 'string',
    default: 'lienthong-dev-payment-secret',
    apps: ['gateway', 'cli'],
    description:
      "The merchant's secret key at the payment platform: signs requests and verifies the platform's answers and result notifications (HMAC-SHA256). The default is the simulator's; refused in production.",
  },
  {
    name: 'PAYMENT_NOTIFY_URL',
    type: 'url',
    apps: ['gateway'],
    description:
      "The gateway's public URL of `POST /v1/payments/callback` as the payment platform reaches it, sent with each payment request. Unset: the gateway's own address.",
  },
  {
    name: 'PAYMENT_NOTIFICATION_MAX_AGE_MS',
    type: 'int',
    default: '86400000',
    min: 1000,
    apps: ['gateway'],
    description:
      'A result notification signed longer ago than this (its `timestamp`) is refused even with a valid checksum; a replay within the window is recognised by its transaction and nonce and ignored.',
  },
  {
    name: 'PAID_ONLINE_SOURCE',
    type: 'enum',
    values: ['claims', 'payment-platform'],
    default: 'claims',
    apps: ['gateway', 'relay', 'cli'],
    description:
      "What the Decision 766 online-payment figure (paidOnline) counts: `payment-platform` the dossiers with a payment the national payment platform confirmed by a signed notification (table payment), ignoring the one-stop system's own `payment.paidOnline` claim; `claims` that claim (for provinces whose fees are not collected through the platform yet).",
  },
  {
    name: 'LOOKUP_CACHE_MAX_ENTRIES',
    type: 'int',
    default: '100000',
    min: 0,
    apps: ['gateway'],
    description:
      'Lookup answers kept in memory per gateway instance (least recently used dropped first); 0 disables the lookup cache. With `REDIS_URL` the answers live in Redis instead, expiring at their `validUntil` plus `LOOKUP_STALE_MAX_AGE_MS`.',
  },
  {
    name: 'LOOKUP_STALE_MAX_AGE_MS',
    type: 'int',
    default: '604800000',
    min: 0,
    apps: ['gateway'],
    description:
      'How long past its `validUntil` a cached answer may still be served, marked stale, to clients allowed stale answers while its upstream is down.',
  },
  {
    name: 'REDIS_URL',
    type: 'url',
    apps: ['gateway'],
    description:
      "Redis shared by every gateway instance (`redis://[user:password@]host:6379/0`, `rediss://` for TLS): rate limits and the lookup cache then hold for the deployment rather than per instance. Unset: both stay in each instance's memory (one instance). While Redis is unreachable, lookups go to their upstream and rate limits apply per instance; readiness shows `sharedState` degraded.",
  },
  {
    name: 'REDIS_KEY_PREFIX',
    type: 'string',
    default: 'lienthong:',
    apps: ['gateway'],
    description:
      'Start of every Redis key the gateway writes, so several deployments (or test runs) can share one Redis; the same on every instance of a deployment.',
  },
  {
    name: 'LOOKUP_CACHE_KEY',
    type: 'string',
    default: 'lienthong-dev-lookup-cache-key-not-a-secret',
    apps: ['gateway'],
    description:
      'Secret key, the same on every gateway instance, from which the Redis lookup cache derives the HMAC-SHA256 that names its entries and the AES-256-GCM key that encrypts them (cached answers are personal data). At least 32 bytes; `base64:` or `hex:` prefix for binary keys, e.g. base64: followed by `openssl rand -base64 48`. Used only with `REDIS_URL`; production refuses the default then. Changing it empties the shared cache.',
  },
  {
    name: 'UPSTREAM_RETRIES',
    type: 'int',
    default: '2',
    min: 0,
    max: 10,
    apps: ['gateway'],
    description:
      'Retries of a lookup call to an upstream (population, business registry, land) after a transient failure, with exponential backoff and jitter.',
  },
  {
    name: 'UPSTREAM_CIRCUIT_FAILURES',
    type: 'int',
    default: '5',
    min: 1,
    apps: ['gateway'],
    description:
      'Consecutive transient failures of an upstream (each attempt counts) that open its circuit: calls are then refused at once (503 with Retry-After, or a stale answer where allowed).',
  },
  {
    name: 'UPSTREAM_CIRCUIT_HALF_OPEN_MS',
    type: 'int',
    default: '5000',
    min: 100,
    apps: ['gateway'],
    description:
      'How long an open circuit stays open before one trial call; its success closes the circuit. Also the `Retry-After` of an upstream failure.',
  },
  {
    name: 'AUDIT_SUBJECT_KEY',
    type: 'string',
    apps: ['gateway', 'relay', 'cli', 'start'],
    description:
      'Secret key of the HMAC-SHA256 that replaces looked-up identifiers in the audit log (at least 32 bytes; `base64:` or `hex:` prefix for binary keys, e.g. base64: followed by `openssl rand -base64 48`). Required by the gateway and the relay; npm start on embedded defaults keeps one in `var/secrets/`. Changing it makes earlier records unfindable by subject unless the old key is kept in AUDIT_SUBJECT_KEYS_PREVIOUS.',
  },
  {
    name: 'AUDIT_SUBJECT_KEYS_PREVIOUS',
    type: 'list',
    apps: ['gateway', 'relay', 'cli'],
    description:
      'Comma-separated keys AUDIT_SUBJECT_KEY replaced; used only to find older records by subject.',
  },
  {
    name: 'AUDIT_SIGNING_KEY_PATH',
    type: 'string',
    apps: ['gateway', 'relay', 'cli'],
    description:
      'PEM file of the RSA private key (at least 2048 bits) that signs the last audit record of every batch and the checkpoints of the chain head (published on lgsp.audit.checkpoint.v1). Required by `lienthong audit prune`. Unset: records are hash-chained but not signed, and no checkpoints are written.',
  },
  {
    name: 'AUDIT_SIGNING_KEY_PASSPHRASE',
    type: 'string',
    apps: ['gateway', 'relay', 'cli'],
    description: 'Passphrase of AUDIT_SIGNING_KEY_PATH when the key is encrypted.',
  },
  {
    name: 'AUDIT_BATCH_SIZE',
    type: 'int',
    default: '1000',
    min: 1,
    max: 5000,
    apps: ['gateway', 'relay'],
    description:
      "Audit records written per batch: one statement when the batch follows the process's own last one, else a transaction of a few round trips. At 200 the writer fell behind 4,000 lookups a second and the queue grew in memory.",
  },
  {
    name: 'AUDIT_FLUSH_INTERVAL_MS',
    type: 'int',
    default: '50',
    min: 0,
    max: 60000,
    apps: ['gateway', 'relay'],
    description: 'Longest time an audit record waits in memory for its batch while traffic is low.',
  },
  {
    name: 'AUDIT_CHECKPOINT_INTERVAL_MS',
    type: 'int',
    default: '5000',
    min: 100,
    max: 3600000,
    apps: ['gateway', 'relay'],
    description:
      'Longest time a committed audit record waits for a signed checkpoint of the chain head (stored and published on lgsp.audit.checkpoint.v1); one is also written at shutdown. Needs AUDIT_SIGNING_KEY_PATH.',
  },
  {
    name: 'AUDIT_MAX_QUEUE',
    type: 'int',
    default: '100000',
    min: 5000,
    max: 10000000,
    apps: ['gateway', 'relay'],
    description:
      'Audit records held in memory while the database is slow or down; beyond it, lookups wait for the audit log. Each takes about 0.7 KB of heap: the gateway runs with 256 MB of old space (GATEWAY_NODE_ARGS in libs/config, the image and the manifests), so raise that with this beyond about 150 000.',
  },
  {
    name: 'AUDIT_RETENTION_DAYS',
    type: 'int',
    min: 1,
    max: 36500,
    apps: ['cli'],
    description:
      'Default age in days for `lienthong audit prune`. Unset: nothing is removed unless the command names an age.',
  },
  {
    name: 'CLIENTS_FILE',
    type: 'string',
    default: 'deploy/config/clients.yaml',
    apps: ['gateway', 'cli', 'start'],
    description:
      'Client registry and access policy (who may call which service, for which purposes, which fields).',
  },
  {
    name: 'LGSP_DEMO_API_KEY',
    type: 'string',
    apps: ['gateway', 'start'],
    description:
      'When set, a demo client allowed every service, purpose and field is registered with this API key. npm start on embedded defaults sets it (generated when unset) and prints it. Never set it in production.',
  },
  {
    name: 'GATEWAY_DOCS',
    type: 'bool',
    apps: ['gateway'],
    description:
      'Serve the API documentation (`/docs`, `/docs/json`; operators only). Unset: on, except when `NODE_ENV=production`.',
  },
  {
    name: 'LGSP_DEMO_CLIENT_CERT_FILE',
    type: 'string',
    apps: ['gateway', 'start'],
    description:
      'With `LGSP_DEMO_API_KEY`: the demo client also authenticates with this client certificate (PEM, pinned by its SHA-256 fingerprint) over HTTPS. npm start on embedded defaults sets the dev PKI `demo-client`. Never set it in production.',
  },
  {
    name: 'DATABASE_URL',
    type: 'url',
    apps: SERVICES,
    description:
      'PostgreSQL connection URL (postgres://user@host:5432/db). Unset: embedded PGlite under `PGLITE_DIR`.',
  },
  {
    name: 'PGLITE_DIR',
    type: 'string',
    default: 'var/pglite',
    apps: SERVICES,
    description: 'Data directory of the embedded PGlite database used when `DATABASE_URL` is unset.',
  },
  {
    name: 'LOCAL_STACK_FILE',
    type: 'string',
    default: 'var/local/stack.json',
    apps: ['cli', 'start'],
    description:
      'Where `npm start` writes the broker, database and ports of the stack it runs (removed before it stops), and where `lienthong` commands look for them when `KAFKA_BROKERS` is unset. Relative to the project root.',
  },
  {
    name: 'DATABASE_POOL_SIZE',
    type: 'int',
    default: '10',
    min: 1,
    apps: ['gateway', 'relay'],
    description: 'Maximum PostgreSQL connections per process.',
  },
  {
    name: 'DATABASE_COMMIT_CHECK_MS',
    type: 'int',
    default: '10000',
    min: 0,
    apps: ['gateway', 'relay'],
    description:
      'When the connection to PostgreSQL is lost while a COMMIT is on its way, how long the process keeps asking the server whether that transaction committed before answering that its outcome is unknown (ingest and hand-over: 503 `OUTCOME_UNKNOWN`, never the `DATABASE_UNAVAILABLE` that says nothing was recorded). 0: never asks.',
  },
  {
    name: 'OUTBOX_SHARDS',
    type: 'int',
    default: '8',
    min: 1,
    max: 1024,
    apps: ['gateway', 'relay'],
    description:
      "Shards of the outbox dispatcher: a row's shard is a hash of its key; each shard is published in order by the one process holding its lease (a gateway instance, or a relay running the `chains` role, which publishes chain events through the outbox too). Every process sharing a database must use the same value.",
  },
  {
    name: 'LIENTHONG_FAULT_POINT',
    type: 'string',
    apps: ['gateway'],
    description:
      'Tests only, ignored when NODE_ENV is production: `ingest.before-commit`, `ingest.after-commit` or `dispatch.after-send`, optionally `@<n>`; the gateway kills itself with SIGKILL the n-th time it reaches that stage.',
  },
  {
    name: 'PORT',
    type: 'int',
    default: '3000',
    min: 0,
    max: 65535,
    apps: ['gateway', 'start'],
    description: 'HTTP port of the gateway (API, /docs, /health, /metrics).',
  },
  {
    name: 'GATEWAY_TLS_CERT_FILE',
    type: 'string',
    apps: ['gateway', 'start'],
    description:
      "PEM certificate (with its chain) of the gateway's HTTPS listener. Set with `GATEWAY_TLS_KEY_FILE` to serve HTTPS; npm start on embedded defaults uses the dev PKI `gateway-server` certificate.",
  },
  {
    name: 'GATEWAY_TLS_KEY_FILE',
    type: 'string',
    apps: ['gateway', 'start'],
    description: 'PEM private key matching `GATEWAY_TLS_CERT_FILE`.',
  },
  {
    name: 'GATEWAY_TLS_CLIENT_CA_FILE',
    type: 'string',
    apps: ['gateway', 'start'],
    description:
      'PEM CA certificate(s) client certificates must chain to. Set: the HTTPS listener asks every caller for a certificate (a caller without one may still use an API key), and a certificate forwarded by a trusted proxy is verified against it. Unset: HTTPS without client certificates.',
  },
  {
    name: 'GATEWAY_TLS_PORT',
    type: 'int',
    min: 0,
    max: 65535,
    apps: ['gateway', 'start'],
    description:
      'HTTPS port beside the plain HTTP `PORT`. Unset with `GATEWAY_TLS_CERT_FILE` set: `PORT` itself serves HTTPS and there is no plain listener. npm start on embedded defaults sets 3443.',
  },
  {
    name: 'GATEWAY_TRUSTED_PROXIES',
    type: 'list',
    apps: ['gateway'],
    description:
      "Comma-separated addresses or CIDRs (e.g. `10.0.0.5,10.1.0.0/16`) of TLS-terminating proxies allowed to forward the caller's client certificate in `X-SSL-Client-Cert` (nginx `$ssl_client_escaped_cert`). The header from any other address is refused with 401.",
  },
  {
    name: 'RELAY_PORT',
    type: 'int',
    default: '3001',
    min: 0,
    max: 65535,
    apps: ['relay', 'start'],
    description: 'HTTP port of the relay for /health and /metrics.',
  },
  {
    name: 'RELAY_ROLES',
    type: 'list',
    default: 'ministry-routing,portal-sync,indicators,ops-center,chains,feedback',
    values: ['ministry-routing', 'portal-sync', 'indicators', 'ops-center', 'chains', 'feedback'],
    apps: ['relay'],
    description:
      'Comma-separated consumer roles this relay process runs: `ministry-routing` (copies to the ministry topics), `portal-sync` (needs `PORTAL_URL`), `indicators` (Decision 766 counts), `ops-center` (indicator reports to the operations center; needs `OPERATIONS_CENTER_URL`), `chains` (runs the steps of procedure chains; needs the three `CHAIN_*_URL`), `feedback` (fetches citizen feedback from the national feedback system; needs `FEEDBACK_URL`). Each role has its own consumer group, so its processes share its partitions; run every role in at least one process. `/health/ready` names the roles. A process with `ministry-routing` alone keeps no state: on PostgreSQL it reads only the synced procedure catalogue, on PGlite it opens no database.',
  },
  {
    name: 'RELAY_ROUTING_PORT',
    type: 'int',
    default: '3002',
    min: 0,
    max: 65535,
    apps: ['start'],
    description:
      "HTTP port (/health, /metrics) of the relay process `npm start` runs for ministry routing alone; the other roles' relay answers on `RELAY_PORT`.",
  },
  {
    name: 'SIMULATORS_PORT',
    type: 'int',
    default: '4000',
    min: 0,
    max: 65535,
    apps: ['simulators', 'start'],
    description: 'HTTP port of the upstream simulators.',
  },
  {
    name: 'HOST',
    type: 'string',
    default: '127.0.0.1',
    apps: ALL,
    description: 'Interface the HTTP servers bind to; set 0.0.0.0 in a container.',
  },
  {
    name: 'NODE_ENV',
    type: 'enum',
    default: 'development',
    values: ['development', 'test', 'production'],
    apps: ['gateway', 'relay', 'start'],
    description:
      '`production` makes the gateway and relay refuse to start with a development secret, the demo client, a plain-`http` upstream not in `UPSTREAM_HTTP_ALLOWLIST` or an HTTPS upstream without a pinned CA (`*_CA_PATH`); the message names the variable to set.',
  },
  {
    name: 'UPSTREAM_HTTP_ALLOWLIST',
    type: 'list',
    apps: ['gateway', 'relay'],
    description:
      'Upstreams production mode lets the apps call over plain `http`: origins (`http://land.internal:8080`), `host:port` or host names. Unset: every upstream must be `https` with a pinned CA.',
  },
  {
    name: 'LOG_LEVEL',
    type: 'enum',
    default: 'info',
    values: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'],
    apps: ALL,
    description: 'pino log level. Personal identifiers are redacted at every level.',
  },
  {
    name: 'LOG_FORMAT',
    type: 'enum',
    default: 'auto',
    values: ['auto', 'pretty', 'json'],
    apps: ALL,
    description:
      "`auto`: readable lines with repeated messages collapsed when standard output is a terminal, JSON lines otherwise (pipes, files, collectors). `pretty` or `json` force one of them; npm start formats its children's output the same way.",
  },
  {
    name: 'LGSP_LOG_CAPTURE_FILE',
    type: 'string',
    apps: ALL,
    description:
      'When set, every log line is also appended to this file. The test suite sets it and fails if any captured line holds a personal ID in clear.',
  },
  {
    name: 'HTTP_BODY_LIMIT_BYTES',
    type: 'int',
    default: '1048576',
    min: 1024,
    apps: ['gateway'],
    description: 'Largest accepted request body; larger ones get 413 problem+json.',
  },
] as const satisfies readonly EnvVar[];

export type EnvName = (typeof ENV_VARS)[number]['name'];

/** An app of the table's `apps` column. */
export type EnvApp = EnvVar['apps'][number];
type NameFor<V, A> = V extends { name: infer N; apps: readonly (infer Apps)[] }
  ? A extends Apps
    ? N
    : never
  : never;
/** The settings an app reads, as the table's `apps` column says: the one list of them. */
export type EnvNameOf<A extends EnvApp> = NameFor<(typeof ENV_VARS)[number], A>;

/** The names of the settings an app reads, from the table's `apps` column (what it loads with `loadEnv`). */
export function envNamesOf<A extends EnvApp>(app: A): readonly EnvNameOf<A>[] {
  return ENV_VARS.filter((spec) => (spec.apps as readonly EnvApp[]).includes(app)).map(
    (spec) => spec.name,
  ) as EnvNameOf<A>[];
}

type ValueOf<T extends EnvType> = T extends 'int'
  ? number
  : T extends 'bool'
    ? boolean
    : T extends 'list'
      ? string[]
      : string;
type VarByName<N extends EnvName> = Extract<(typeof ENV_VARS)[number], { name: N }>;
type HasDefault<V> = V extends { default: string } ? true : false;

export type Env<N extends EnvName> = {
  [K in N]: HasDefault<VarByName<K>> extends true
    ? ValueOf<VarByName<K>['type']>
    : ValueOf<VarByName<K>['type']> | undefined;
};

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

function parse(spec: EnvVar, raw: string): { value?: unknown; problem?: string } {
  switch (spec.type) {
    case 'int': {
      if (!/^-?\d+$/.test(raw.trim())) return { problem: `must be a whole number` };
      const value = Number(raw);
      if (spec.min !== undefined && value < spec.min) return { problem: `must be at least ${spec.min}` };
      if (spec.max !== undefined && value > spec.max) return { problem: `must be at most ${spec.max}` };
      return { value };
    }
    case 'bool':
      if (/^(true|1|yes)$/i.test(raw)) return { value: true };
      if (/^(false|0|no)$/i.test(raw)) return { value: false };
      return { problem: 'must be true or false' };
    case 'list': {
      const items = raw
        .split(',')
        .map((item) => item.trim())
        .filter(Boolean);
      if (!items.length) return { problem: 'must list at least one item' };
      const unknown = spec.values ? items.filter((item) => !spec.values?.includes(item)) : [];
      return unknown.length
        ? { problem: `names ${unknown.join(', ')}: each item must be one of ${spec.values?.join(', ')}` }
        : { value: items };
    }
    case 'url':
      try {
        new URL(raw);
        return { value: raw };
      } catch {
        return { problem: 'must be a URL' };
      }
    case 'enum':
      return spec.values?.includes(raw)
        ? { value: raw }
        : { problem: `must be one of ${spec.values?.join(', ')}` };
    default:
      return { value: raw };
  }
}

/**
 * Reads and validates the named variables. Empty strings count as unset. Throws one ConfigError naming
 * every invalid or missing variable so a misconfigured deployment fails at start with a clear message.
 */
export function loadEnv<N extends EnvName>(
  names: readonly N[],
  options: { required?: readonly N[]; source?: NodeJS.ProcessEnv } = {},
): Env<N> {
  const source = options.source ?? process.env;
  const problems: string[] = [];
  const result: Record<string, unknown> = {};
  for (const name of names) {
    const spec = ENV_VARS.find((candidate) => candidate.name === name) as EnvVar;
    const raw = source[name]?.trim() ? source[name] : undefined;
    const effective = raw ?? spec.default;
    if (effective === undefined) {
      if (options.required?.includes(name)) problems.push(`${name} is required: ${spec.description}`);
      continue;
    }
    const { value, problem } = parse(spec, effective);
    if (problem) problems.push(`${name} ${problem}`);
    else result[name] = value;
  }
  if (problems.length) {
    throw new ConfigError(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
  }
  return result as Env<N>;
}

/** The README's configuration reference, generated from ENV_VARS. */
export function envReferenceMarkdown(): string {
  const rows = (ENV_VARS as readonly EnvVar[]).map(
    (spec) =>
      `| \`${spec.name}\` | ${spec.default !== undefined ? `\`${spec.default}\`` : '—'} | ${spec.apps.join(', ')} | ${spec.description} |`,
  );
  return ['| variable | default | read by | what it does |', '|---|---|---|---|', ...rows].join('\n');
}
