/**
 * The project's Kafka client ports (./ports.ts) on kafkajs 2.x. This file and the Nest consumer server's
 * settings (../microservice.ts) are the only code that imports kafkajs (specs aside).
 *
 * kafkajs workarounds, both kept here in libs/messaging:
 * 1. `renewIdempotentProducer` (below): after the broker reports an idempotent producer's state out of
 *    step (out-of-order sequence, unknown producer id, as after a broker restart lost a reply), a kafkajs
 *    producer keeps failing every send; a new producer, with a new producer id, replaces it. The same
 *    happens after any send that failed with its outcome unknown (a leader killed, a timeout, retries used
 *    up): kafkajs gives the next records the sequence numbers of the failed ones, and a broker that did
 *    write the failed batch takes a next batch of the same size for a repeat of it, answers success and
 *    drops it. Kafka's own client gets a new producer id or epoch in that case too.
 * 2. `restartConsumerKafkajsGaveUpOn` (../microservice.ts): kafkajs restarts a crashed consumer only after
 *    errors it classes as retriable; after any other it stays stopped, so the process starts it again.
 * 3. `unansweredPartitions` (below): when a request to one leader fails and kafkajs retries, it sends again
 *    only to leaders that have not answered yet. Partitions that moved in between to a leader that had
 *    already answered for others are sent nowhere, and the send resolves as if they had been written.
 *    The client remembers which partition kafkajs's partitioner gave each record (and keeps it there
 *    across kafkajs's retries, which would move a keyless record) and rejects a send whose answer lacks
 *    any of them (outcome unknown: the caller sends it again, and the producer is replaced as after any
 *    such failure).
 * A smaller one: `createTopics` ignores the UNKNOWN_TOPIC_OR_PARTITION kafkajs's own leader wait fails with
 * while the broker has created the topics but does not serve their metadata yet.
 */
import {
  AclOperationTypes,
  AclPermissionTypes,
  AclResourceTypes,
  Admin,
  Consumer,
  Kafka,
  KafkaConfig,
  LogEntry,
  logLevel,
  Partitioners,
  Producer,
  RecordMetadata,
  ResourcePatternTypes,
  RetryOptions,
} from 'kafkajs';
import { ConfigError } from '@lienthong/config';
import type { AppLogger } from '@lienthong/observability';
import { KafkaSecurity, PLAINTEXT } from '../kafka-security';
import { ClientErrorCode, IDEMPOTENCE_LOST_CODES, KafkaClientError, RECORD_FAULT_CODES } from './errors';
import type {
  AclEntry,
  AclOperation,
  AdminPort,
  ConsumerCrash,
  ConsumerOptions,
  ConsumerPort,
  ConsumerRun,
  DeliveredRecords,
  KafkaClient,
  KafkaClientOptions,
  ProduceBatchRequest,
  ProduceRequest,
  ProducerOptions,
  ProducerPort,
  RetryPolicy,
} from './ports';

const LEVELS: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

/** kafkajs log entries through the project's logger (same JSON format, same redaction). */
export function kafkaLogCreator(logger: AppLogger) {
  const child = logger.child({ component: 'kafkajs' });
  return () =>
    ({ namespace, level, log }: LogEntry) => {
      const { message, timestamp: _timestamp, logger: _logger, stack: _stack, ...extra } = log;
      // Connection errors repeat every retry while a broker is down; readiness reports them once.
      const target = level === logLevel.ERROR ? 'warn' : (LEVELS[level] ?? 'info');
      child[target]({ namespace, ...extra }, message);
    };
}

const usesTls = (security: KafkaSecurity) => security.protocol === 'SSL' || security.protocol === 'SASL_SSL';
const usesSasl = (security: KafkaSecurity) =>
  security.protocol === 'SASL_PLAINTEXT' || security.protocol === 'SASL_SSL';

/** The `ssl` and `sasl` settings of a kafkajs client for `security` (nothing for PLAINTEXT). */
export function kafkaConnectionConfig(
  security: KafkaSecurity = PLAINTEXT,
): Pick<KafkaConfig, 'ssl' | 'sasl'> {
  const config: Pick<KafkaConfig, 'ssl' | 'sasl'> = {};
  if (usesTls(security)) {
    const tls = security.tls ?? {};
    config.ssl =
      tls.ca || tls.cert
        ? {
            ...(tls.ca ? { ca: [tls.ca] } : {}),
            ...(tls.cert ? { cert: tls.cert } : {}),
            ...(tls.key ? { key: tls.key } : {}),
          }
        : true;
  }
  if (usesSasl(security)) {
    if (!security.sasl)
      throw new ConfigError(`Kafka ${security.protocol} needs a SASL user name and password`);
    const { username, password } = security.sasl;
    config.sasl =
      security.sasl.mechanism === 'scram-sha-256'
        ? { mechanism: 'scram-sha-256', username, password }
        : { mechanism: 'scram-sha-512', username, password };
  }
  return config;
}

const retryOptions = (policy: RetryPolicy | undefined): RetryOptions | undefined =>
  policy && {
    ...(policy.retries !== undefined ? { retries: policy.retries } : {}),
    ...(policy.initialRetryTimeMs !== undefined ? { initialRetryTime: policy.initialRetryTimeMs } : {}),
    ...(policy.maxRetryTimeMs !== undefined ? { maxRetryTime: policy.maxRetryTimeMs } : {}),
  };

/** The kafkajs client settings for `options` (also used by the Nest consumer server). */
export function kafkajsConfig(options: KafkaClientOptions): KafkaConfig {
  return {
    clientId: options.clientId,
    brokers: options.brokers,
    ...kafkaConnectionConfig(options.security),
    ...(options.logger
      ? { logLevel: logLevel.WARN, logCreator: kafkaLogCreator(options.logger) }
      : { logLevel: logLevel.NOTHING }),
    connectionTimeout: options.connectionTimeoutMs ?? 3000,
    requestTimeout: options.requestTimeoutMs ?? 10000,
    retry: retryOptions(options.retry ?? { initialRetryTimeMs: 100, retries: 5, maxRetryTimeMs: 2000 }),
  };
}

/** kafkajs's client-side errors by class name, as the project's codes. */
const CLIENT_CODES: Record<string, string> = {
  KafkaJSConnectionError: ClientErrorCode.Connection,
  KafkaJSConnectionClosedError: ClientErrorCode.Connection,
  KafkaJSRequestTimeoutError: ClientErrorCode.RequestTimeout,
  KafkaJSGroupCoordinatorNotFound: ClientErrorCode.CoordinatorNotAvailable,
  KafkaJSBrokerNotFound: ClientErrorCode.BrokerNotAvailable,
  KafkaJSSASLAuthenticationError: ClientErrorCode.AuthenticationFailed,
};
const TRANSIENT_CLIENT_CODES = new Set<string>([
  ClientErrorCode.Connection,
  ClientErrorCode.RequestTimeout,
  ClientErrorCode.CoordinatorNotAvailable,
  ClientErrorCode.BrokerNotAvailable,
]);

/**
 * Any error kafkajs rejected with, as a KafkaClientError: the broker's protocol error type when one is
 * behind the retry wrappers, else the project's code for the innermost client error.
 */
export function toKafkaClientError(error: unknown): KafkaClientError {
  if (error instanceof KafkaClientError) return error;
  const message = error instanceof Error ? error.message : String(error);
  let current = error as { type?: string; name?: string; cause?: unknown; retriable?: boolean } | undefined;
  let code: string | undefined;
  for (let depth = 0; current && typeof current === 'object' && depth < 10; depth++) {
    if (current.type) {
      return new KafkaClientError(current.type, message, current.retriable ?? false, { cause: error });
    }
    code = (current.name && CLIENT_CODES[current.name]) || code;
    const cause = current.cause as typeof current;
    if (!cause || cause === current) break;
    current = cause;
  }
  code ??= ClientErrorCode.Client;
  return new KafkaClientError(code, message, TRANSIENT_CLIENT_CODES.has(code), { cause: error });
}

const translated = <T>(promise: Promise<T>): Promise<T> =>
  promise.catch((error: unknown) => {
    throw toKafkaClientError(error);
  });

class KafkajsProducer implements ProducerPort {
  private producer: Producer;
  /** The partition kafkajs's partitioner chose for each record of a send (workaround 3). */
  private readonly placed = new WeakMap<object, number>();
  private connected?: Promise<void>;
  private closed = false;

  constructor(
    private readonly kafka: Kafka,
    private readonly options: ProducerOptions,
    private readonly logger?: AppLogger,
  ) {
    this.producer = this.create();
  }

  private create(): Producer {
    const producer = this.kafka.producer({
      idempotent: this.options.idempotent ?? true,
      maxInFlightRequests: this.options.maxInFlightRequests ?? 1,
      allowAutoTopicCreation: false,
      // murmur2 partitioning, as the Java client does, so other producers place the same key alike;
      // where each record went is remembered for the answer's check (workaround 3)
      createPartitioner: () => {
        const partition = Partitioners.DefaultPartitioner();
        return (args) => {
          // a retry keeps a record where it was first placed (a keyless one would otherwise move)
          const before = this.placed.get(args.message);
          const chosen =
            before !== undefined && args.partitionMetadata.some((p) => p.partitionId === before)
              ? before
              : partition(args);
          this.placed.set(args.message, chosen);
          return chosen;
        };
      },
      ...(this.options.retry ? { retry: retryOptions(this.options.retry) } : {}),
    });
    producer.on(producer.events.DISCONNECT, () => {
      if (this.producer === producer) this.connected = undefined;
    });
    return producer;
  }

  /**
   * kafkajs workaround 1: replaces a producer the broker no longer accepts, or one whose last send failed with
   * its outcome unknown (see the file comment).
   */
  private renewIdempotentProducer(code: string): void {
    const stale = this.producer;
    this.producer = this.create();
    this.connected = undefined;
    this.logger?.warn(
      { component: 'producer', code },
      IDEMPOTENCE_LOST_CODES.has(code)
        ? 'the broker no longer accepts the idempotent producer; starting a new one'
        : 'a send failed and may have been written; starting a new idempotent producer so the next records are not taken for a repeat of it',
    );
    void stale.disconnect().catch(() => undefined);
  }

  connect(): Promise<void> {
    if (this.closed)
      return Promise.reject(new KafkaClientError('CLOSED', 'the producer is shut down', false));
    this.connected ??= this.producer.connect().catch((error: unknown) => {
      this.connected = undefined;
      throw toKafkaClientError(error);
    });
    return this.connected;
  }

  send(request: ProduceRequest): Promise<DeliveredRecords[]> {
    return this.sendBatch({ topicMessages: [request], acks: request.acks });
  }

  sendBatch(request: ProduceBatchRequest): Promise<DeliveredRecords[]> {
    // records of their own, so the partition remembered for each is this send's
    const topicMessages = request.topicMessages.map(({ topic, messages }) => ({
      topic,
      messages: messages.map((message) => ({ ...message })),
    }));
    const acks = request.acks === 'leader' ? 1 : -1;
    return this.produce(topicMessages, (producer) =>
      topicMessages.length === 1
        ? producer.send({ ...topicMessages[0], acks })
        : producer.sendBatch({ topicMessages, acks }),
    );
  }

  /**
   * Partitions records of `sent` were given that no leader answered for (kafkajs workaround 3), as
   * `topic/partition`; a record the partitioner never saw counts as unanswered too.
   */
  private unansweredPartitions(
    sent: { topic: string; messages: object[] }[],
    answered: RecordMetadata[],
  ): string[] {
    const answers = new Set(answered.map((m) => `${m.topicName}/${m.partition}`));
    const missing = new Set<string>();
    for (const { topic, messages } of sent) {
      for (const message of messages) {
        const where = `${topic}/${this.placed.get(message) ?? '?'}`;
        if (!answers.has(where)) missing.add(where);
      }
    }
    return [...missing];
  }

  private async produce(
    sent: { topic: string; messages: object[] }[],
    call: (producer: Producer) => Promise<RecordMetadata[]>,
  ): Promise<DeliveredRecords[]> {
    await this.connect();
    const producer = this.producer;
    try {
      const metadata = await call(producer);
      const unanswered = this.unansweredPartitions(sent, metadata);
      if (unanswered.length > 0) {
        throw new KafkaClientError(
          ClientErrorCode.Unanswered,
          `no leader answered for ${unanswered.join(', ')}: their records may not be written`,
          true,
        );
      }
      return metadata.map((m) => ({ topic: m.topicName, partition: m.partition, baseOffset: m.baseOffset }));
    } catch (error) {
      const failure = toKafkaClientError(error);
      const renew =
        IDEMPOTENCE_LOST_CODES.has(failure.code) ||
        ((this.options.idempotent ?? true) && !RECORD_FAULT_CODES.has(failure.code));
      if (renew && producer === this.producer && !this.closed) this.renewIdempotentProducer(failure.code);
      throw failure;
    }
  }

  async disconnect(): Promise<void> {
    this.closed = true;
    await this.producer.disconnect().catch(() => undefined);
  }
}

class KafkajsConsumer implements ConsumerPort {
  constructor(private readonly consumer: Consumer) {}

  connect(): Promise<void> {
    return translated(this.consumer.connect());
  }

  subscribe(request: { topics: (string | RegExp)[]; fromBeginning?: boolean }): Promise<void> {
    return translated(
      this.consumer.subscribe({ topics: request.topics, fromBeginning: request.fromBeginning ?? false }),
    );
  }

  run(run: ConsumerRun): Promise<void> {
    return translated(
      this.consumer.run({
        autoCommit: run.autoCommit ?? true,
        partitionsConsumedConcurrently: run.partitionsConsumedConcurrently ?? 1,
        eachMessage: ({ topic, partition, message, heartbeat }) =>
          run.eachMessage({
            topic,
            partition,
            message: {
              key: message.key,
              value: message.value,
              headers: message.headers ?? {},
              offset: message.offset,
              timestamp: message.timestamp,
            },
            heartbeat,
          }),
      }),
    );
  }

  seek(position: { topic: string; partition: number; offset: string }): void {
    this.consumer.seek(position);
  }

  disconnect(): Promise<void> {
    return translated(this.consumer.disconnect());
  }

  onCrash(listener: (crash: ConsumerCrash) => void): void {
    this.consumer.on(this.consumer.events.CRASH, (event) =>
      listener({ error: toKafkaClientError(event.payload.error), restarting: event.payload.restart }),
    );
  }

  onGroupJoin(listener: () => void): void {
    this.consumer.on(this.consumer.events.GROUP_JOIN, () => listener());
  }

  onBatchEnd(listener: (batch: { topic: string; partition: number; lastOffset: string }) => void): void {
    this.consumer.on(this.consumer.events.END_BATCH_PROCESS, ({ payload }) =>
      listener({
        topic: payload.topic,
        partition: payload.partition,
        lastOffset: String(payload.lastOffset),
      }),
    );
  }
}

// kafkajs's ACL enums are plain objects at run time, without reverse mappings
const nameOf = <T extends string>(values: object, value: number): T =>
  (Object.entries(values).find(([, candidate]) => candidate === value)?.[0] ?? String(value)) as T;

const toKafkajsAcl = (entry: AclEntry) => ({
  principal: entry.principal,
  host: entry.host,
  resourceType: AclResourceTypes[entry.resourceType],
  resourceName: entry.resourceName,
  resourcePatternType: ResourcePatternTypes[entry.resourcePatternType],
  operation: AclOperationTypes[entry.operation],
  permissionType: AclPermissionTypes[entry.permissionType],
});

class KafkajsAdmin implements AdminPort {
  constructor(private readonly admin: Admin) {}

  connect(): Promise<void> {
    return translated(this.admin.connect());
  }

  disconnect(): Promise<void> {
    return translated(this.admin.disconnect());
  }

  listTopics(): Promise<string[]> {
    return translated(this.admin.listTopics());
  }

  async createTopics(request: {
    topics: Parameters<AdminPort['createTopics']>[0]['topics'];
    waitForLeaders?: boolean;
  }): Promise<void> {
    await this.admin
      .createTopics({ topics: request.topics, waitForLeaders: request.waitForLeaders ?? true })
      .catch((error: unknown) => {
        // kafkajs's own wait fails, rather than retries, while the broker has created the topics but
        // does not serve their metadata yet (see the file comment)
        if ((error as { type?: string }).type !== 'UNKNOWN_TOPIC_OR_PARTITION')
          throw toKafkaClientError(error);
      });
  }

  deleteTopics(topics: string[]): Promise<void> {
    return translated(this.admin.deleteTopics({ topics }));
  }

  describeCluster() {
    return translated(this.admin.describeCluster());
  }

  async fetchTopicMetadata(topics: string[]) {
    const metadata = await translated(this.admin.fetchTopicMetadata({ topics }));
    return metadata.topics.map((topic) => ({
      name: topic.name,
      partitions: topic.partitions.map((p) => ({
        partitionId: p.partitionId,
        leader: p.leader,
        replicas: p.replicas,
        isr: p.isr,
      })),
    }));
  }

  async fetchTopicOffsets(topic: string) {
    const offsets = await translated(this.admin.fetchTopicOffsets(topic));
    return offsets
      .map(({ partition, low, high }) => ({ partition, low, high }))
      .sort((x, y) => x.partition - y.partition);
  }

  async fetchCommittedOffsets(groupId: string, topics: string[]) {
    const committed = await translated(this.admin.fetchOffsets({ groupId, topics }));
    return committed.map(({ topic, partitions }) => ({
      topic,
      partitions: partitions.map(({ partition, offset }) => ({ partition, offset })),
    }));
  }

  async describeAcls(): Promise<AclEntry[]> {
    const described = await translated(
      this.admin.describeAcls({
        resourceType: AclResourceTypes.ANY,
        resourcePatternType: ResourcePatternTypes.ANY,
        operation: AclOperationTypes.ANY,
        permissionType: AclPermissionTypes.ANY,
      }),
    );
    return described.resources.flatMap((resource) =>
      resource.acls.map((acl) => ({
        principal: acl.principal,
        host: acl.host,
        resourceType: nameOf<AclEntry['resourceType']>(AclResourceTypes, resource.resourceType),
        resourceName: resource.resourceName,
        resourcePatternType: nameOf<AclEntry['resourcePatternType']>(
          ResourcePatternTypes,
          resource.resourcePatternType,
        ),
        operation: nameOf<AclOperation>(AclOperationTypes, acl.operation),
        permissionType: nameOf<AclEntry['permissionType']>(AclPermissionTypes, acl.permissionType),
      })),
    );
  }

  async createAcls(entries: readonly AclEntry[]): Promise<void> {
    await translated(this.admin.createAcls({ acl: entries.map(toKafkajsAcl) }));
  }
}

class KafkajsClient implements KafkaClient {
  private readonly kafka: Kafka;

  constructor(private readonly options: KafkaClientOptions) {
    this.kafka = new Kafka(kafkajsConfig(options));
  }

  get brokers(): string[] {
    return this.options.brokers;
  }

  producer(options: ProducerOptions = {}): ProducerPort {
    return new KafkajsProducer(this.kafka, options, this.options.logger);
  }

  consumer(options: ConsumerOptions): ConsumerPort {
    return new KafkajsConsumer(
      this.kafka.consumer({
        groupId: options.groupId,
        allowAutoTopicCreation: false,
        ...(options.retry ? { retry: retryOptions(options.retry) } : {}),
        ...(options.sessionTimeoutMs !== undefined ? { sessionTimeout: options.sessionTimeoutMs } : {}),
        ...(options.heartbeatIntervalMs !== undefined
          ? { heartbeatInterval: options.heartbeatIntervalMs }
          : {}),
        ...(options.maxWaitTimeMs !== undefined ? { maxWaitTimeInMs: options.maxWaitTimeMs } : {}),
      }),
    );
  }

  admin(options: { retry?: RetryPolicy } = {}): AdminPort {
    return new KafkajsAdmin(this.kafka.admin(options.retry ? { retry: retryOptions(options.retry) } : {}));
  }
}

/** A client of the project's Kafka ports, on kafkajs. */
export function createKafkajsClient(options: KafkaClientOptions): KafkaClient {
  return new KafkajsClient(options);
}
