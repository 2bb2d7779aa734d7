import { readConfigDocument } from '@lienthong/config';
import { ProcedureCatalogue } from '@lienthong/domain';
import { createLogger } from '@lienthong/observability';
import { AclGrants, aclPlan, describeAcl } from './acl-plan';
import { EventProducer } from './event-producer.service';
import { KafkaAdmin } from './kafka-admin.service';
import type { KafkaSecurity } from './kafka-security';
import { inboundTopic, ministryTopic, TOPICS } from './topics';

export interface TopicsInitResult {
  created: string[];
  all: string[];
  /**
   * ACLs created by this run (`describeAcl` lines; empty when every grant already existed), or
   * `undefined` when no grants were asked for or the cluster has no authorizer.
   */
  granted?: string[];
}

/**
 * Creates every registry topic, one topic per ministry of the procedure catalogue and one inbound topic
 * per producing client that does not exist yet, then, when `services` names the gateway, relay and CLI
 * principals and the cluster runs an authorizer, the ACLs of `aclPlan` it does not hold yet (ministry
 * principals from the catalogue). Idempotent. Used by `lienthong topics init`, `npm start` and the test
 * and bench stacks.
 */
export async function initTopics(input: {
  brokers: string[];
  partitions: number;
  replicationFactor: number;
  /** `min.insync.replicas` of the topics it creates; unset: the brokers' default. */
  minInsyncReplicas?: number;
  proceduresFile: string;
  extra?: string[];
  /** How to connect; it must be allowed to create topics and ACLs (a super user). */
  security?: KafkaSecurity;
  /** Clients that produce dossier events to their own inbound topic (`kafka.principal` in clients.yaml). */
  producers?: AclGrants['producers'];
  /** The services' principals; unset: no ACLs are granted. */
  services?: AclGrants['services'];
}): Promise<TopicsInitResult> {
  const procedures = readConfigDocument(input.proceduresFile);
  const catalogue = ProcedureCatalogue.fromDocument(procedures.document, procedures.path);
  const ministries = catalogue.ministries();
  const producers = input.producers ?? [];
  const extra = [
    ...ministries.map(ministryTopic),
    ...producers.map((producer) => inboundTopic(producer.clientId)),
    ...(input.extra ?? []),
  ];
  const options = {
    brokers: input.brokers,
    clientId: 'lienthong-topics-init',
    sendTimeoutMs: 10_000,
    healthTimeoutMs: 30_000,
    security: input.security,
    logger: createLogger({ name: 'topics', level: 'warn', destination: process.stderr }),
  };
  const producer = new EventProducer(options);
  const admin = new KafkaAdmin(producer, options);
  try {
    const created = await admin.ensureTopics(
      {
        partitions: input.partitions,
        replicationFactor: input.replicationFactor,
        minInsyncReplicas: input.minInsyncReplicas,
      },
      TOPICS,
      extra,
    );
    const all = [...TOPICS.map((topic) => topic.name), ...extra];
    if (!input.services) return { created, all };
    const granted = await admin.ensureAcls(
      aclPlan({
        services: input.services,
        ministries: ministries.map((ministry) => ({
          ministry,
          principal: catalogue.kafkaPrincipal(ministry),
        })),
        producers,
      }),
    );
    return { created, all, granted: granted?.map(describeAcl) };
  } finally {
    await admin.onApplicationShutdown();
    await producer.onApplicationShutdown();
  }
}
