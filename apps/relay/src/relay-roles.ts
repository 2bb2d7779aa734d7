/**
 * The relay's consumer roles (RELAY_ROLES). Each role is its own consumer group, so a role can run in a
 * process of its own or beside the others; processes running the same role share its partitions.
 */
export const RELAY_ROLES = [
  'ministry-routing',
  'portal-sync',
  'indicators',
  'ops-center',
  'chains',
  'feedback',
] as const;

export type RelayRole = (typeof RELAY_ROLES)[number];

export interface RelayRoles {
  /** The roles named, in the order of RELAY_ROLES. */
  readonly list: readonly RelayRole[];
  has(role: RelayRole): boolean;
  /** Every role but ministry routing keeps state or audits its calls in the database. */
  readonly needsDatabase: boolean;
}

export function relayRoles(names: readonly string[]): RelayRoles {
  const list = RELAY_ROLES.filter((role) => names.includes(role));
  return {
    list,
    has: (role) => list.includes(role),
    needsDatabase: list.some((role) => role !== 'ministry-routing'),
  };
}
