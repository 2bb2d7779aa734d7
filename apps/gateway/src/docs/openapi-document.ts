import { randomBytes } from 'node:crypto';
import type { OpenAPIObject } from '@nestjs/swagger';
import { repoRoot } from '@lienthong/config';
import { createHttpApp, createLogger } from '@lienthong/observability';
import { PGLITE_MEMORY } from '@lienthong/storage';
import { buildOpenApi } from '../bootstrap';
import { loadGatewayConfig } from '../gateway.config';
import { GatewayModule } from '../gateway.module';

/** Where the published copy of the gateway's OpenAPI document lives, relative to the repository root. */
export const OPENAPI_CONTRACT_PATH = 'contracts/openapi.json';

/**
 * The gateway's OpenAPI document as /docs/json serves it, built from the application's routes without
 * starting it: the module graph is created (an in-memory database, a broker address that is never dialled,
 * because no lifecycle hook runs) and closed again. The settings are the defaults of the repository, not the
 * caller's environment, so every machine builds the same document.
 */
export async function gatewayOpenApiDocument(): Promise<OpenAPIObject> {
  const root = repoRoot(__dirname);
  const logger = createLogger({ name: 'openapi', level: 'silent' });
  const config = loadGatewayConfig({
    KAFKA_BROKERS: '127.0.0.1:9',
    PGLITE_DIR: PGLITE_MEMORY,
    LOG_LEVEL: 'silent',
    // Required by the audit module; nothing is audited while the document is built.
    AUDIT_SUBJECT_KEY: `base64:${randomBytes(48).toString('base64')}`,
    CLIENTS_FILE: `${root}/deploy/config/clients.yaml`,
    PROCEDURES_FILE: `${root}/deploy/config/procedures.yaml`,
  });
  const app = await createHttpApp(GatewayModule.forRoot(config, logger), { logger });
  try {
    return buildOpenApi(app);
  } finally {
    await app.close();
  }
}

/** The document as committed: two-space JSON with a final newline. */
export function renderOpenApi(document: OpenAPIObject): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}
