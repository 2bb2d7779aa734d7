import { userInfo } from 'node:os';

/**
 * The client id an operator action is recorded under: the `--operator` name, or else the OS user, folded
 * into the client-id pattern of the audit record (lowercase letters, digits, single hyphens; at most 64).
 */
export function operatorClientId(name?: string): string {
  let raw = name?.trim();
  if (!raw) {
    try {
      raw = userInfo().username;
    } catch {
      raw = '';
    }
  }
  const folded = raw
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/đ/gi, 'd')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  const id = /^[a-z]/.test(folded) ? folded : `operator-${folded}`.replace(/-+$/, '');
  return id.slice(0, 64).replace(/-+$/, '') || 'operator';
}
