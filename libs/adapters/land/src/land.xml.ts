import { parseStringPromise } from 'xml2js';
import { landErrors } from './land.errors';
import { LAND_NAMESPACE, OneOrMany, XmlNode } from './land.wire';

/** xml2js settings: single children stay objects, attributes under `$`, text under `_`, whitespace trimmed. */
const PARSER_OPTIONS = {
  explicitArray: false,
  explicitRoot: true,
  trim: true,
  normalize: false,
  emptyTag: '',
  strict: true,
} as const;

export type LandDocument = { root: 'KetQuaTraCuu'; node: XmlNode } | { root: 'Loi'; node: XmlNode };

/**
 * Parses an answer of the land database: a `KetQuaTraCuu` or a `Loi` document in the contract's namespace.
 * Anything else (not XML, cut off, another root or namespace) is a malformed response.
 */
export async function parseLandDocument(xml: string, status: number): Promise<LandDocument> {
  let parsed: unknown;
  try {
    parsed = await parseStringPromise(xml, PARSER_OPTIONS);
  } catch (error) {
    throw landErrors.malformed('the answer is not well-formed XML', { status }, { cause: error });
  }
  if (parsed === null || typeof parsed !== 'object') {
    throw landErrors.malformed('the answer is an empty XML document', { status });
  }
  const [root] = Object.keys(parsed);
  const node = (parsed as Record<string, unknown>)[root];
  if ((root !== 'KetQuaTraCuu' && root !== 'Loi') || node === null || typeof node !== 'object') {
    throw landErrors.malformed('the answer is not a KetQuaTraCuu or Loi document', { status });
  }
  if ((node as XmlNode).$?.xmlns !== LAND_NAMESPACE) {
    throw landErrors.malformed("the answer's root element is not in the contract's namespace", {
      status,
    });
  }
  return { root, node: node as XmlNode };
}

/** Children of a list element as an array, whether xml2js gave none, one or several. */
export function asArray<T>(value: OneOrMany<T> | undefined | ''): T[] {
  if (value === undefined || value === '') return [];
  return Array.isArray(value) ? value : [value];
}
