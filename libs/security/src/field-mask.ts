import type { FieldScope } from './clients.types';

/**
 * Fields every response keeps whatever the caller's scope: where the data came from and how long it may
 * be relied upon (Decree 47/2020/NĐ-CP art. 41). They describe the answer, not the data subject.
 */
export const PROVENANCE_FIELDS: readonly string[] = Object.freeze([
  'source',
  'retrievedAt',
  'validUntil',
  'provenance',
]);

export interface MaskResult<T> {
  /** The record with only the fields in scope (plus provenance). A new object; the input is not changed. */
  record: Partial<T>;
  /** Top-level fields the record had and the caller did not receive at all (sorted). */
  removed: string[];
  /** Top-level fields the caller received only in part, e.g. an address reduced to its province (sorted). */
  trimmed: string[];
}

/** A compiled scope: `true` keeps the value whole, a map keeps only the named children. */
type ScopeTree = Map<string, ScopeTree | true>;

const compiled = new WeakMap<readonly string[], ScopeTree>();

function compile(fields: readonly string[]): ScopeTree {
  let tree = compiled.get(fields);
  if (tree) return tree;
  tree = new Map();
  for (const path of fields) {
    let node = tree;
    const segments = path.split('.');
    for (let i = 0; i < segments.length; i++) {
      const segment = segments[i];
      const existing = node.get(segment);
      if (existing === true) break; // an ancestor is already kept whole
      if (i === segments.length - 1) {
        node.set(segment, true);
      } else {
        const child: ScopeTree = existing ?? new Map();
        node.set(segment, child);
        node = child;
      }
    }
  }
  compiled.set(fields, tree);
  return tree;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Masks a value below a partial scope; `undefined` when nothing in scope remains. */
function maskBelow(value: unknown, scope: ScopeTree): { value: unknown; trimmed: boolean } {
  if (Array.isArray(value)) {
    let trimmed = false;
    const items: unknown[] = [];
    for (const item of value) {
      const masked = maskBelow(item, scope);
      trimmed ||= masked.trimmed;
      if (masked.value !== undefined) items.push(masked.value);
      else trimmed = true;
    }
    return { value: items.length > 0 || value.length === 0 ? items : undefined, trimmed };
  }
  // A primitive (or null) has no children to keep: a scope naming children of it keeps nothing.
  if (!isPlainObject(value)) return { value: undefined, trimmed: true };
  const out: Record<string, unknown> = {};
  let trimmed = false;
  for (const [key, child] of Object.entries(value)) {
    const rule = scope.get(key);
    if (rule === undefined) {
      trimmed = true;
    } else if (rule === true) {
      out[key] = child;
    } else {
      const masked = maskBelow(child, rule);
      trimmed ||= masked.trimmed;
      if (masked.value !== undefined) out[key] = masked.value;
    }
  }
  return { value: Object.keys(out).length > 0 ? out : undefined, trimmed };
}

/**
 * Removes from a canonical record every field outside the caller's scope.
 *
 * - `'*'` keeps everything (the record is returned as is).
 * - `'fullName'` keeps the field whole; `'permanentResidence.provinceCode'` keeps only that child of the
 *   object; a path through an array (`'legalRepresentatives.fullName'`) applies to every element, and an
 *   element left with nothing in scope is dropped.
 * - {@link PROVENANCE_FIELDS} are always kept.
 *
 * `removed` and `trimmed` name top-level fields only, so the audit record can say what was withheld without
 * repeating any value.
 */
export function maskToScope<T extends object>(record: T, fields: FieldScope): MaskResult<T> {
  if (fields === '*') return { record, removed: [], trimmed: [] };
  const scope = compile(fields);
  const out: Record<string, unknown> = {};
  const removed: string[] = [];
  const trimmed: string[] = [];
  for (const [key, value] of Object.entries(record)) {
    const rule = scope.get(key);
    if (PROVENANCE_FIELDS.includes(key) || rule === true) {
      out[key] = value;
    } else if (rule === undefined) {
      removed.push(key);
    } else {
      const masked = maskBelow(value, rule);
      if (masked.value === undefined) {
        removed.push(key);
      } else {
        out[key] = masked.value;
        if (masked.trimmed) trimmed.push(key);
      }
    }
  }
  return { record: out as Partial<T>, removed: removed.sort(), trimmed: trimmed.sort() };
}
