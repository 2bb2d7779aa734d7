import { counter, ProblemException } from '@lienthong/observability';

/** Why a request was refused before reaching its use case; the label of `lgsp_auth_denials_total`. */
export type DenialCode =
  | 'UNAUTHENTICATED'
  | 'INVALID_CREDENTIALS'
  | 'SERVICE_NOT_ALLOWED'
  | 'PURPOSE_REQUIRED'
  | 'PURPOSE_NOT_ALLOWED'
  | 'DOSSIER_CODE_REQUIRED'
  | 'ROLE_REQUIRED'
  | 'ROUTE_NOT_ALLOWED'
  | 'AGENCY_NOT_ALLOWED'
  | 'DOSSIER_AGENCY_CHANGE'
  | 'DOSSIER_CLOSED'
  | 'CSRF_REFUSED';

const denials = counter({
  name: 'lgsp_auth_denials_total',
  help: 'Requests refused by authentication or the access policy, by reason',
  labelNames: ['reason'] as const,
});

export const rateLimited = counter({
  name: 'lgsp_rate_limited_total',
  help: 'Requests refused because the client exceeded its rate limit, by client id',
  labelNames: ['client'] as const,
});

const TITLES: Record<DenialCode, [status: number, title: string]> = {
  UNAUTHENTICATED: [401, 'Authentication required'],
  INVALID_CREDENTIALS: [401, 'Invalid credentials'],
  SERVICE_NOT_ALLOWED: [403, 'Service not allowed for this client'],
  PURPOSE_REQUIRED: [400, 'Purpose required'],
  PURPOSE_NOT_ALLOWED: [403, 'Purpose not allowed for this client and service'],
  DOSSIER_CODE_REQUIRED: [400, 'Dossier code required for this purpose'],
  ROLE_REQUIRED: [403, 'Role required for this route'],
  ROUTE_NOT_ALLOWED: [403, 'Route not open to clients'],
  AGENCY_NOT_ALLOWED: [403, 'Agency outside the client scope'],
  DOSSIER_AGENCY_CHANGE: [403, 'A dossier cannot change agency'],
  DOSSIER_CLOSED: [403, 'Dossier closed'],
  CSRF_REFUSED: [403, 'Request refused: not sent by the signed-in page'],
};

/** The challenge every 401 carries (RFC 7235, RFC 6750). */
export const WWW_AUTHENTICATE = 'Bearer realm="lienthong"';

/** Counts the denial and builds the problem the HTTP filter renders. Details never carry a credential. */
export function denial(
  code: DenialCode,
  detail: string,
  headers: Record<string, string> = {},
): ProblemException {
  denials.inc({ reason: code.toLowerCase() });
  const [status, title] = TITLES[code];
  const all: Record<string, string> = { ...headers };
  if (status === 401) all['WWW-Authenticate'] ??= WWW_AUTHENTICATE;
  return new ProblemException(status, code, title, detail, undefined, all);
}

/** Error raised when clients.yaml (or a registry built in code) is not valid; the message lists every problem. */
export class ClientsConfigError extends Error {
  constructor(
    readonly source: string,
    readonly problems: readonly string[],
  ) {
    super(`${source} is not a valid client registry:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ClientsConfigError';
  }
}
