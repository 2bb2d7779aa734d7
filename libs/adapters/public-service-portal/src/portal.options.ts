import type { UpstreamClientOptions } from '@lienthong/adapters/common';
import type { PortalPaths } from './portal.wire';

/** Besides these: resilience, ca, connections, logger, clock, dispatcher (UpstreamClientOptions). */
export interface PublicServicePortalClientOptions extends UpstreamClientOptions {
  /** `adapter_url` of the integrations, e.g. `https://dichvucong.gov.vn/lgsp` or the simulator's URL. */
  baseUrl: string;
  username: string;
  password: string;
  /** Unit code (mã đơn vị) of the province's account, sent as `madonvi` with every call. */
  unitCode: string;
  /** Destination code the portal routes by, sent as the `dstcode` header with every request. */
  dstcode: string;
  /** The login, integration and sharing endpoints (`auth_endpoint`, `integration_endpoint`, `share_endpoint`). */
  paths?: Partial<PortalPaths>;
  /** More headers sent with every request (a gateway API key, ...); they cannot replace dstcode or the body's. */
  headers?: Readonly<Record<string, string>>;
  /** Deadline of one HTTP exchange, connection included (resilience.timeoutMs). Default 10 000 ms. */
  timeoutMs?: number;
  /**
   * A session is used at most this long before logging in again. The portal announces no lifetime (the
   * integrations keep a session until it is refused); a refused call logs in again at once. Default 20 min.
   */
  sessionMaxAgeMs?: number;
  /** Look up an enterprise applicant's portal account id with TraCuuTechID (by enterprise code). Default true. */
  techIdLookup?: boolean;
  /**
   * Non-zero error codes this deployment's portal uses for "try again later": answered as a transient
   * failure instead of a rejection. The integrations know none (0 or not 0); default none.
   */
  retryableErrorCodes?: readonly number[];
  /** Wait suggested by a 429 that carries no usable Retry-After. Default 1 000 ms. */
  defaultRetryAfterMs?: number;
  /**
   * A dossier this client stored on the portal within this time is known to be there with the record it sent:
   * its next event skips TraCuuHoSo. 0 asks TraCuuHoSo before every sync, as OpenCPS does. Default 10 min.
   */
  recentRecordTtlMs?: number;
}

export const PORTAL_CLIENT_DEFAULTS = Object.freeze({
  timeoutMs: 10_000,
  sessionMaxAgeMs: 20 * 60_000,
  defaultRetryAfterMs: 1_000,
  connections: 16,
  maxResponseBytes: 4 * 1024 * 1024,
  /** A few quick retries inside one delivery; the relay's retry topic owns the long waits. */
  retries: 1,
  /**
   * One trial call this long after the circuit opens. Short: the relay's retry schedule owns the long waits,
   * and a trial every 2 s is no load; an HTTP 429 does not count against the circuit (its Retry-After rules).
   */
  halfOpenAfterMs: 2_000,
  /** Portal account ids found by TraCuuTechID, kept this long (ids do not change; absences may). */
  techIdTtlMs: 6 * 60 * 60_000,
  techIdMissTtlMs: 10 * 60_000,
  techIdCacheSize: 10_000,
  recentRecordTtlMs: 10 * 60_000,
  recentRecordCacheSize: 10_000,
});

/** Headers the configuration may not set: the dialect's own and those of the transport. */
const RESERVED_HEADERS = new Set([
  'dstcode',
  'content-type',
  'content-length',
  'host',
  'accept',
  'transfer-encoding',
]);

/** Checks one configured header; returns its lower-cased name. Throws a message naming the problem. */
function checkHeader(name: string, value: string): string {
  if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) {
    throw new Error(`portal header "${name}" is not a valid header name (expected Name=value pairs)`);
  }
  if (value === '' || [...value].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f)) {
    throw new Error(`portal header "${name}" needs a value without control characters (Name=value)`);
  }
  if (RESERVED_HEADERS.has(name.toLowerCase())) {
    throw new Error(`portal header "${name}" is set by the adapter and cannot be configured`);
  }
  return name.toLowerCase();
}

/**
 * Reads PORTAL_EXTRA_HEADERS: `Name=value` pairs separated by commas (`apikey=abc,X-Gateway=lgsp`), names
 * as HTTP allows them, values without commas or control characters. Throws a message naming the problem.
 */
export function parsePortalHeaders(value: string | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  if (!value || value.trim() === '') return headers;
  for (const pair of value.split(',')) {
    const at = pair.indexOf('=');
    const name = (at < 0 ? pair : pair.slice(0, at)).trim();
    const headerValue = at < 0 ? '' : pair.slice(at + 1).trim();
    headers[checkHeader(name, headerValue)] = headerValue;
  }
  return headers;
}

/** The configured headers after the same checks (names lower-cased). */
export function checkedPortalHeaders(headers: Readonly<Record<string, string>> = {}): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers).map(([name, value]) => [checkHeader(name, value), value]),
  );
}

/**
 * The portal's dialects, chosen per deployment when a province connects: `opencps` is the OpenCPS-era API the
 * independent integrations speak (login, session, `dstcode`); `token-2025` the newer token-based API seen in
 * 2025 clients (client credentials, portal-issued dossier codes, ISO dates), whose shape is assumed.
 */
export const PORTAL_DIALECTS = ['opencps', 'token-2025'] as const;
export type PortalDialect = (typeof PORTAL_DIALECTS)[number];

/** The PORTAL_* settings (libs/config's table) a relay or gateway has read. */
export interface PortalSettings {
  PORTAL_DIALECT?: string;
  PORTAL_TOKEN_PATH?: string;
  PORTAL_API_PATH?: string;
  PORTAL_CLIENT_ID?: string;
  PORTAL_CLIENT_SECRET?: string;
  PORTAL_TOKEN_SCOPE?: string;
  PORTAL_URL?: string;
  PORTAL_USERNAME: string;
  PORTAL_PASSWORD: string;
  PORTAL_UNIT_CODE: string;
  PORTAL_DSTCODE: string;
  PORTAL_LOGIN_PATH: string;
  PORTAL_INTEGRATION_PATH: string;
  PORTAL_SHARE_PATH: string;
  PORTAL_EXTRA_HEADERS?: string;
  PORTAL_SESSION_MAX_AGE_MS: number;
  PORTAL_TIMEOUT_MS: number;
  PORTAL_TECH_ID_LOOKUP?: boolean;
  PORTAL_RETRYABLE_CODES?: readonly string[];
}

/** Client options from the settings; throws for a malformed PORTAL_EXTRA_HEADERS or PORTAL_RETRYABLE_CODES. */
export function portalClientOptions(
  settings: PortalSettings,
  more: Pick<PublicServicePortalClientOptions, 'ca' | 'logger' | 'dispatcher' | 'resilience'> = {},
): PublicServicePortalClientOptions {
  if (!settings.PORTAL_URL) throw new Error('PORTAL_URL is not set');
  const retryable = (settings.PORTAL_RETRYABLE_CODES ?? []).map((code) => {
    if (!/^-?\d{1,6}$/.test(code)) throw new Error(`PORTAL_RETRYABLE_CODES: "${code}" is not an error code`);
    return Number(code);
  });
  return {
    baseUrl: settings.PORTAL_URL,
    username: settings.PORTAL_USERNAME,
    password: settings.PORTAL_PASSWORD,
    unitCode: settings.PORTAL_UNIT_CODE,
    dstcode: settings.PORTAL_DSTCODE,
    paths: {
      login: settings.PORTAL_LOGIN_PATH,
      integration: settings.PORTAL_INTEGRATION_PATH,
      share: settings.PORTAL_SHARE_PATH,
    },
    headers: parsePortalHeaders(settings.PORTAL_EXTRA_HEADERS),
    sessionMaxAgeMs: settings.PORTAL_SESSION_MAX_AGE_MS,
    timeoutMs: settings.PORTAL_TIMEOUT_MS,
    techIdLookup: settings.PORTAL_TECH_ID_LOOKUP ?? true,
    retryableErrorCodes: retryable,
    ...more,
  };
}
