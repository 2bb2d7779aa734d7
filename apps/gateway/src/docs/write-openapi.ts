import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '@lienthong/config';
import { gatewayOpenApiDocument, OPENAPI_CONTRACT_PATH, renderOpenApi } from './openapi-document';

// `npm run contracts`: writes contracts/openapi.json from the gateway's routes, offline. The spec beside
// openapi-document.ts fails while the committed file differs from what this writes.
gatewayOpenApiDocument()
  .then((document) => {
    const file = join(repoRoot(__dirname), OPENAPI_CONTRACT_PATH);
    writeFileSync(file, renderOpenApi(document));
    console.log(`wrote ${OPENAPI_CONTRACT_PATH}`);
    process.exit(0);
  })
  .catch((error: unknown) => {
    console.error(`could not build the OpenAPI document: ${(error as Error).message}`);
    process.exit(1);
  });
