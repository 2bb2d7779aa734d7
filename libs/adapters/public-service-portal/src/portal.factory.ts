import type { PortalDossierCodes } from './portal-dossier-codes';
import { TokenPortalClient, type TokenPortalClientOptions } from './portal-token.client';
import {
  PORTAL_DIALECTS,
  portalClientOptions,
  parsePortalHeaders,
  type PortalDialect,
  type PortalSettings,
  type PublicServicePortalClientOptions,
} from './portal.options';
import { PublicServicePortalClient, type PublicServicePortal } from './public-service-portal.client';

/** PORTAL_DIALECT, `opencps` when unset; throws for a value that names no dialect. */
export function portalDialectOf(settings: Pick<PortalSettings, 'PORTAL_DIALECT'>): PortalDialect {
  const dialect = settings.PORTAL_DIALECT ?? 'opencps';
  if (!(PORTAL_DIALECTS as readonly string[]).includes(dialect)) {
    throw new Error(`PORTAL_DIALECT: "${dialect}" is not one of ${PORTAL_DIALECTS.join(', ')}`);
  }
  return dialect as PortalDialect;
}

/** Token-dialect client options from the settings; throws for a missing URL or malformed headers. */
export function tokenPortalClientOptions(
  settings: PortalSettings,
  more: Pick<TokenPortalClientOptions, 'ca' | 'logger' | 'dispatcher' | 'resilience' | 'dossierCodes'> = {},
): TokenPortalClientOptions {
  if (!settings.PORTAL_URL) throw new Error('PORTAL_URL is not set');
  return {
    baseUrl: settings.PORTAL_URL,
    clientId: settings.PORTAL_CLIENT_ID ?? '',
    clientSecret: settings.PORTAL_CLIENT_SECRET ?? '',
    ...(settings.PORTAL_TOKEN_SCOPE ? { scope: settings.PORTAL_TOKEN_SCOPE } : {}),
    unitCode: settings.PORTAL_UNIT_CODE,
    paths: {
      ...(settings.PORTAL_TOKEN_PATH ? { token: settings.PORTAL_TOKEN_PATH } : {}),
      ...(settings.PORTAL_API_PATH ? { api: settings.PORTAL_API_PATH } : {}),
    },
    headers: parsePortalHeaders(settings.PORTAL_EXTRA_HEADERS),
    timeoutMs: settings.PORTAL_TIMEOUT_MS,
    ...more,
  };
}

/**
 * The portal client of the deployment's dialect (PORTAL_DIALECT). `dossierCodes` keeps the codes the token
 * dialect's portal issues; the relay gives its database store, a process that only reads may leave it out.
 */
export function createPortalClient(
  settings: PortalSettings,
  more: Pick<PublicServicePortalClientOptions, 'ca' | 'logger' | 'dispatcher' | 'resilience'> & {
    dossierCodes?: PortalDossierCodes;
  } = {},
): PublicServicePortal {
  const { dossierCodes, ...common } = more;
  return portalDialectOf(settings) === 'token-2025'
    ? new TokenPortalClient(tokenPortalClientOptions(settings, { ...common, dossierCodes }))
    : new PublicServicePortalClient(portalClientOptions(settings, common));
}
