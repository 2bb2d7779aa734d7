import { readConfigDocument } from '@lienthong/config';
import { ProcedureCatalogue } from '@lienthong/domain';

/**
 * The procedure catalogue of a procedures.yaml file (PROCEDURES_FILE: absolute, or relative to the repository
 * root), checked. The file is read here and checked by the domain, which reads no file.
 */
export function loadProcedureCatalogue(file: string): ProcedureCatalogue {
  const { path, document } = readConfigDocument(file);
  return ProcedureCatalogue.fromDocument(document, path);
}
