/**
 * The agencies a client acts for (`agencies` in clients.yaml): agency codes as issued under Decision
 * 20/2020/QĐ-TTg (dot-separated groups, e.g. `000.17.22.H56`) or patterns in which a group is `*`.
 *
 * Matching is strict: a pattern matches a code with the same number of groups, each group equal or `*`
 * (`000.*.*.H56` matches `000.17.22.H56`, not `000.17.H56` nor `000.17.22.H56.01`). A shorter pattern is
 * not a prefix: agency codes have a fixed shape, and a prefix match would hand a client every sub-unit an
 * issuer may ever add. The lone pattern `*` is the one exception: every agency (the local demo client).
 */
export const EVERY_AGENCY = '*';

/** True when `code` is one of the agencies `pattern` names. */
export function agencyMatches(pattern: string, code: string): boolean {
  if (pattern === EVERY_AGENCY) return true;
  if (typeof code !== 'string' || code === '') return false;
  const wanted = pattern.split('.');
  const groups = code.split('.');
  if (wanted.length !== groups.length) return false;
  return wanted.every((group, i) => groups[i] !== '' && (group === '*' || group === groups[i]));
}

/** True when any of `patterns` names `code`; an empty list names no agency. */
export function agencyInScope(patterns: readonly string[], code: string): boolean {
  return patterns.some((pattern) => agencyMatches(pattern, code));
}
