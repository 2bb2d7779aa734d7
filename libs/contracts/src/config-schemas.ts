import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { contractsDir } from './schema-registry';

/** The configuration files whose format is published under contracts/config. */
export type ConfigSchemaName = 'chains' | 'clients';

const loaded = new Map<ConfigSchemaName, object>();

/**
 * The JSON Schema of a configuration file, contracts/config/<name>.schema.json, read once. The contract
 * library reads it, as it reads contracts/schemas, so the checks that use it (the domain's) read no file.
 */
export function configSchema(name: ConfigSchemaName): object {
  let schema = loaded.get(name);
  if (!schema) {
    schema = JSON.parse(
      readFileSync(join(contractsDir(), 'config', `${name}.schema.json`), 'utf8'),
    ) as object;
    loaded.set(name, schema);
  }
  return schema;
}
