import { ClientCredentialsTokens, type ClientCredentialsOptions } from '@lienthong/adapters/common';
import { operationsCenterErrors } from './operations-center.errors';

/**
 * The relay's OAuth 2.0 client-credentials tokens at the operations center: the shared token cache of
 * @lienthong/adapters/common, raising this adapter's errors. The client sends the token request itself, over
 * its own connection pool and inside its resilience policy.
 */
export function operationsCenterTokens(
  options: Omit<ClientCredentialsOptions, 'errors'>,
): ClientCredentialsTokens {
  return new ClientCredentialsTokens({
    ...options,
    errors: {
      clientRejected: (status, oauthError) =>
        operationsCenterErrors.authentication(
          'CLIENT_REJECTED',
          `the operations center token endpoint refused the relay's client credentials${oauthError ? ` (${oauthError})` : ''}`,
          { status, ...(oauthError ? { oauthError } : {}) },
        ),
      grantRejected: (status, oauthError) =>
        operationsCenterErrors.authentication(
          'GRANT_REJECTED',
          `the operations center token endpoint refused the grant (${oauthError})`,
          { status, oauthError },
        ),
      unavailable: (status) =>
        operationsCenterErrors.unavailable(
          'HTTP_STATUS',
          `the operations center token endpoint answered HTTP ${status}`,
          { status, endpoint: 'token' },
        ),
      malformed: (message) => operationsCenterErrors.malformed(`operations center: ${message}`),
    },
  });
}
