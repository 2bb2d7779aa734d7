import type { AclEntry, AclOperation, AclPatternType, AclResourceType } from './client/ports';
import { inboundTopic, ministryTopic, Topic } from './topics';

/** Who gets which rights from `lienthong topics init` (principals are SCRAM user names, without `User:`). */
export interface AclGrants {
  /** The gateway, relay and CLI principals. */
  services: { gateway: string; relay: string; cli: string };
  /** Each ministry of the catalogue with its principal. */
  ministries: readonly { ministry: string; principal: string }[];
  /** Each client that produces dossier events to its own inbound topic, with its principal. */
  producers: readonly { clientId: string; principal: string }[];
}

/** Topic names of the project share this prefix; the services read and write under it. */
export const TOPIC_PREFIX = 'lgsp.';

/**
 * Consumer-group prefixes per service. The dead-letter reader (`lienthong-dlq-reader-<uuid>`) runs in the
 * gateway (operations routes) and in the CLI; the CLI's other groups start with `lienthong-cli-`.
 */
export const SERVICE_GROUP_PREFIXES = {
  gateway: ['lienthong-gateway-', 'lienthong-dlq-reader-'],
  relay: ['lienthong-relay-'],
  cli: ['lienthong-cli-', 'lienthong-dlq-reader-'],
} as const;

/** A ministry's consumer groups must start with `<ministry slug>.`, e.g. `bo-tu-phap.status`. */
export function ministryGroupPrefix(ministry: string): string {
  return `${ministry}.`;
}

const CLUSTER = 'kafka-cluster';

/** One ALLOW entry per operation on one topic, named literally. */
function onTopic(principal: string, topic: string, ...operations: AclOperation[]): AclEntry[] {
  return operations.map((operation) => allow(principal, 'TOPIC', topic, 'LITERAL', operation));
}

function allow(
  principal: string,
  resourceType: AclResourceType,
  resourceName: string,
  pattern: AclPatternType,
  operation: AclOperation,
): AclEntry {
  return {
    principal: `User:${principal}`,
    host: '*',
    resourceType,
    resourceName,
    resourcePatternType: pattern,
    operation,
    permissionType: 'ALLOW',
  };
}

/**
 * The ACLs of a locked-down cluster (the broker runs an authorizer with
 * `allow.everyone.if.no.acl.found=false`, so anything not listed is refused):
 * - the gateway, relay and CLI read, write and describe every `lgsp.` topic, read their own consumer
 *   groups and describe the cluster. No IDEMPOTENT_WRITE: since Kafka 3.0 (KIP-679) WRITE on a topic is
 *   enough for an idempotent producer;
 * - each ministry reads and describes its own topic `lgsp.dossier.status.v1.<ministry>` only, and reads
 *   consumer groups named `<ministry>.…`;
 * - each producing client writes and describes its own inbound topic `lgsp.dossier.inbound.v1.<client>`
 *   only;
 * - nobody writes the shared `lgsp.dossier.inbound.v1` (a DENY for every principal outweighs the services'
 *   prefix ALLOW): Kafka cannot tell its consumer who produced there.
 */
export function aclPlan(grants: AclGrants): AclEntry[] {
  const entries: AclEntry[] = [];
  for (const [service, principal] of Object.entries(grants.services) as [
    keyof AclGrants['services'],
    string,
  ][]) {
    for (const operation of ['READ', 'WRITE', 'DESCRIBE'] as const) {
      entries.push(allow(principal, 'TOPIC', TOPIC_PREFIX, 'PREFIXED', operation));
    }
    for (const group of SERVICE_GROUP_PREFIXES[service]) {
      entries.push(allow(principal, 'GROUP', group, 'PREFIXED', 'READ'));
    }
    entries.push(allow(principal, 'CLUSTER', CLUSTER, 'LITERAL', 'DESCRIBE'));
  }
  for (const { ministry, principal } of grants.ministries) {
    entries.push(
      ...onTopic(principal, ministryTopic(ministry), 'READ', 'DESCRIBE'),
      allow(principal, 'GROUP', ministryGroupPrefix(ministry), 'PREFIXED', 'READ'),
    );
  }
  for (const { clientId, principal } of grants.producers) {
    entries.push(...onTopic(principal, inboundTopic(clientId), 'WRITE', 'DESCRIBE'));
  }
  entries.push({
    principal: 'User:*',
    host: '*',
    resourceType: 'TOPIC',
    resourceName: Topic.DossierInbound,
    resourcePatternType: 'LITERAL',
    operation: 'WRITE',
    permissionType: 'DENY',
  });
  return entries;
}

/** One line per ACL, e.g. `ALLOW User:bo-tu-phap READ TOPIC:literal:lgsp.dossier.status.v1.bo-tu-phap`. */
export function describeAcl(entry: AclEntry): string {
  const pattern = entry.resourcePatternType.toLowerCase();
  return `${entry.permissionType} ${entry.principal} ${entry.operation} ${entry.resourceType}:${pattern}:${entry.resourceName}`;
}

export function aclKey(entry: AclEntry): string {
  return [
    entry.principal,
    entry.host,
    entry.resourceType,
    entry.resourceName,
    entry.resourcePatternType,
    entry.operation,
    entry.permissionType,
  ].join('\u0000');
}
