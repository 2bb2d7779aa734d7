import type { ServiceName } from './services';

/** Fields a client may receive: every field of the canonical model, or the listed canonical paths. */
export type FieldScope = '*' | readonly string[];

export type ClientKind = 'ONE_STOP_SYSTEM' | 'MINISTRY' | 'AGENCY' | 'ADMIN' | 'DEMO';

/** Operations roles: OPERATOR for operations routes, DATA_PROTECTION_OFFICER for the audit log. */
export const CLIENT_ROLES = ['OPERATOR', 'DATA_PROTECTION_OFFICER'] as const;
export type ClientRole = (typeof CLIENT_ROLES)[number];

export interface PurposeDefinition {
  code: string;
  description: { vi: string; en: string };
  legalBasis: string;
  requiresDossierCode: boolean;
}

export interface ApiKeyCredential {
  id: string;
  /** Lower-case hex SHA-256 of the key. */
  sha256: string;
  createdAt?: Date;
  expiresAt?: Date;
}

export interface CertificateCredential {
  /** Attributes of the required subject DN, attribute names upper-cased, e.g. { CN: ['x'], O: ['y'] }. */
  subject?: Readonly<Record<string, readonly string[]>>;
  /** As written in the file, for messages. */
  subjectText?: string;
  /** Upper-case colon-separated SHA-256 fingerprint of the DER certificate. */
  sha256Fingerprint?: string;
}

export interface ServiceGrant {
  /** Purpose codes the service may be used for; empty for a submission service granted without a list. */
  purposes: readonly string[];
  fields: FieldScope;
  allowStale: boolean;
}

export interface RateLimit {
  requestsPerMinute: number;
  burst: number;
}

export interface RegisteredClient {
  id: string;
  name: string;
  kind: ClientKind;
  enabled: boolean;
  admin: boolean;
  /** Agency codes or patterns (`*` for any one group) the client acts for; empty: none. */
  agencies: readonly string[];
  roles: readonly ClientRole[];
  /** SASL/SCRAM user name of the client's Kafka identity, when it produces to its inbound topic. */
  kafkaPrincipal?: string;
  contact?: string;
  apiKeys: readonly ApiKeyCredential[];
  certificates: readonly CertificateCredential[];
  /** Absent: not rate limited (only the local demo client). */
  rateLimit?: RateLimit;
  services: Readonly<Partial<Record<ServiceName, ServiceGrant>>>;
}

/** The authenticated caller of one request. */
export interface Caller {
  clientId: string;
  name: string;
  kind: ClientKind;
  admin: boolean;
  via: 'api-key' | 'mtls';
  /** The API key's id, or the certificate's SHA-256 fingerprint: which credential was used (for the audit record). */
  credentialId: string;
}

/** What a caller may do in one request, decided by the access policy; controllers mask and audit with it. */
export interface AccessScope {
  service: ServiceName;
  /** The declared purpose code; absent only for submission services called without one. */
  purpose?: string;
  /** The purpose's legal basis from the catalogue, for the audit record. */
  legalBasis?: string;
  dossierCode?: string;
  fields: FieldScope;
  /** A cached answer marked stale may be returned while the upstream is down. */
  allowStale: boolean;
}

// ---------------------------------------------------------------------------------------------------
// The clients.yaml document as contracts/config/clients.schema.json describes it.

export interface ClientsDocument {
  version: 1;
  purposes: Record<
    string,
    { description: { vi: string; en: string }; legalBasis: string; requiresDossierCode?: boolean }
  >;
  clients: ClientDocument[];
}

export interface ClientDocument {
  id: string;
  name: string;
  kind: Exclude<ClientKind, 'DEMO'>;
  enabled: boolean;
  admin?: boolean;
  agencies?: string[];
  roles?: ClientRole[];
  kafka?: { principal: string };
  contact?: string;
  apiKeys?: { id: string; sha256: string; createdAt?: string; expiresAt?: string }[];
  certificates?: { subject?: string; sha256Fingerprint?: string; description?: string }[];
  rateLimit: RateLimit;
  services: Partial<
    Record<ServiceName, { purposes?: string[]; fields?: '*' | string[]; allowStale?: boolean }>
  >;
}
