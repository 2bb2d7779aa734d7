import {
  AclEntry,
  AclOperationTypes,
  AclPermissionTypes,
  AclResourceTypes,
  ResourcePatternTypes,
} from 'kafkajs';
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
function onTopic(principal: string, topic: string, ...operations: AclOperationTypes[]): AclEntry[] {
  return operations.map((operation) =>
    allow(principal, AclResourceTypes.TOPIC, topic, ResourcePatternTypes.LITERAL, operation),
  );
}

function allow(
  principal: string,
  resourceType: AclResourceTypes,
  resourceName: string,
  pattern: ResourcePatternTypes,
  operation: AclOperationTypes,
): AclEntry {
  return {
    principal: `User:${principal}`,
    host: '*',
    resourceType,
    resourceName,
    resourcePatternType: pattern,
    operation,
    permissionType: AclPermissionTypes.ALLOW,
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
    for (const operation of [AclOperationTypes.READ, AclOperationTypes.WRITE, AclOperationTypes.DESCRIBE]) {
      entries.push(
        allow(principal, AclResourceTypes.TOPIC, TOPIC_PREFIX, ResourcePatternTypes.PREFIXED, operation),
      );
    }
    for (const group of SERVICE_GROUP_PREFIXES[service]) {
      entries.push(
        allow(
          principal,
          AclResourceTypes.GROUP,
          group,
          ResourcePatternTypes.PREFIXED,
          AclOperationTypes.READ,
        ),
      );
    }
    entries.push(
      allow(
        principal,
        AclResourceTypes.CLUSTER,
        CLUSTER,
        ResourcePatternTypes.LITERAL,
        AclOperationTypes.DESCRIBE,
      ),
    );
  }
  for (const { ministry, principal } of grants.ministries) {
    entries.push(
      ...onTopic(principal, ministryTopic(ministry), AclOperationTypes.READ, AclOperationTypes.DESCRIBE),
      allow(
        principal,
        AclResourceTypes.GROUP,
        ministryGroupPrefix(ministry),
        ResourcePatternTypes.PREFIXED,
        AclOperationTypes.READ,
      ),
    );
  }
  for (const { clientId, principal } of grants.producers) {
    entries.push(
      ...onTopic(principal, inboundTopic(clientId), AclOperationTypes.WRITE, AclOperationTypes.DESCRIBE),
    );
  }
  entries.push({
    principal: 'User:*',
    host: '*',
    resourceType: AclResourceTypes.TOPIC,
    resourceName: Topic.DossierInbound,
    resourcePatternType: ResourcePatternTypes.LITERAL,
    operation: AclOperationTypes.WRITE,
    permissionType: AclPermissionTypes.DENY,
  });
  return entries;
}

// kafkajs's enums are plain objects at run time, without reverse mappings
const nameOf = (values: object, value: number) =>
  Object.entries(values).find(([, candidate]) => candidate === value)?.[0] ?? String(value);

/** One line per ACL, e.g. `ALLOW User:bo-tu-phap READ TOPIC:literal:lgsp.dossier.status.v1.bo-tu-phap`. */
export function describeAcl(entry: AclEntry): string {
  const permission = entry.permissionType === AclPermissionTypes.DENY ? 'DENY' : 'ALLOW';
  const pattern = entry.resourcePatternType === ResourcePatternTypes.PREFIXED ? 'prefixed' : 'literal';
  return `${permission} ${entry.principal} ${nameOf(AclOperationTypes, entry.operation)} ${nameOf(AclResourceTypes, entry.resourceType)}:${pattern}:${entry.resourceName}`;
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
