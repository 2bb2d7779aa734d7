import { readConfigDocument } from '@lienthong/config';
import { parseChainDefinitions, type ChainDefinitions, type ProcedureCatalogue } from '@lienthong/domain';

/**
 * The chain definitions of a chains.yaml file (CHAINS_FILE: absolute, or relative to the repository root),
 * checked, against the catalogue when one is given. The file is read here and checked by the domain, which
 * reads no file; a problem throws the domain's ChainDefinitionError listing every one.
 */
export function loadChainDefinitions(file: string, catalogue?: ProcedureCatalogue): ChainDefinitions {
  const { path, document } = readConfigDocument(file);
  return parseChainDefinitions(document, { source: path, catalogue });
}
