// Validates an OpenAPI document against the OpenAPI specification's own JSON Schema, offline, with
// @seriousme/openapi-schema-validator (independent of @nestjs/swagger, which wrote the document).
//
//   node scripts/validate-openapi.mjs [file]          (default: contracts/openapi.json)
//
// Prints {"valid":true} or {"valid":false,"errors":[...]} as JSON; exit status 1 when invalid. A script
// rather than an import in the specs because the validator is an ES module and the specs run as CommonJS.
import { resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Validator } from '@seriousme/openapi-schema-validator';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const file = resolve(root, process.argv[2] ?? 'contracts/openapi.json');
const result = await new Validator().validate(file);
console.log(JSON.stringify(result.valid ? { valid: true } : { valid: false, errors: result.errors }));
process.exit(result.valid ? 0 : 1);
