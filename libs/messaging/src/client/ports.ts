/**
 * The project's own Kafka client interfaces. Everything outside libs/messaging talks to Kafka through
 * these (or through EventProducer, KafkaAdmin and the consumer base built on them), never through a
 * client library's types, so the library behind them can be replaced in one place
 * (`createKafkaClient`, today kafkajs: see ./kafkajs-client.ts).
 */
import type { AppLogger } from '@lienthong/observability';
import type { KafkaSecurity } from '../kafka-security';
import type { KafkaClientError } from './errors';

/** A header value as clients send it or brokers deliver it (a repeated header is an array). */
export type HeaderValue = string | Buffer | (string | Buffer)[] | undefined;
export type MessageHeaders = Record<string, HeaderValue>;

/** A record to produce. Records with the same key go to the same partition (murmur2, as the Java client). */
export interface OutgoingMessage {
  key?: string | Buffer | null;
  value: string | Buffer | null;
  headers?: MessageHeaders;
  /** Only to bypass the key's partition. */
  partition?: number;
}

/** A record as a consumer receives it. */
export interface ReceivedMessage {
  key: Buffer | null;
  value: Buffer | null;
  headers: MessageHeaders;
  offset: string;
  /** Milliseconds since the epoch, as a string. */
  timestamp: string;
}

/** Where a produced batch landed: one entry per partition written. */
export interface DeliveredRecords {
  topic: string;
  partition: number;
  /** Offset of the first record of the batch in this partition. */
  baseOffset?: string;
}

/** How often and how fast a client retries a failed request before it rejects. */
export interface RetryPolicy {
  retries?: number;
  initialRetryTimeMs?: number;
  maxRetryTimeMs?: number;
}

export interface KafkaClientOptions {
  brokers: string[];
  /** Identifies the process to the broker, e.g. `lienthong-gateway`. */
  clientId: string;
  /** TLS and SASL/SCRAM identity; unset: PLAINTEXT. */
  security?: KafkaSecurity;
  /** Where the client library's own warnings and errors go; unset: it logs nothing. */
  logger?: AppLogger;
  /** Default 3000. */
  connectionTimeoutMs?: number;
  /** Default 10000. */
  requestTimeoutMs?: number;
  /** Default: 5 retries from 100 ms, at most 2 s apart. */
  retry?: RetryPolicy;
}

/** `all`: every in-sync replica has the records (required by idempotence); `leader`: the leader only. */
export type Acks = 'all' | 'leader';

export interface ProducerOptions {
  /** One producer session writes each record once per partition, in order, across its retries. Default true. */
  idempotent?: boolean;
  /** Requests in flight per broker connection. Default 1 (order kept across retries). */
  maxInFlightRequests?: number;
  retry?: RetryPolicy;
}

export interface ProduceRequest {
  topic: string;
  messages: OutgoingMessage[];
  /** Default `all`. */
  acks?: Acks;
}

/** Records for several topics in one produce request. */
export interface ProduceBatchRequest {
  topicMessages: { topic: string; messages: OutgoingMessage[] }[];
  /** Default `all`. */
  acks?: Acks;
}

/**
 * A producer. `send` and `sendBatch` connect first if needed; they reject with a KafkaClientError. Topics
 * are never created by producing to them.
 */
export interface ProducerPort {
  connect(): Promise<void>;
  send(request: ProduceRequest): Promise<DeliveredRecords[]>;
  /** Sends records of several topics together: one request per broker instead of one per topic. */
  sendBatch(request: ProduceBatchRequest): Promise<DeliveredRecords[]>;
  disconnect(): Promise<void>;
}

export interface ConsumerOptions {
  groupId: string;
  retry?: RetryPolicy;
  sessionTimeoutMs?: number;
  heartbeatIntervalMs?: number;
  /** Longest a fetch waits for new records when there are none. Default 5000. */
  maxWaitTimeMs?: number;
}

export interface EachMessagePayload {
  topic: string;
  partition: number;
  message: ReceivedMessage;
  heartbeat(): Promise<void>;
}

export interface ConsumerRun {
  /** Commit offsets of handled records. Default true. */
  autoCommit?: boolean;
  /** Partitions handled at the same time (order is kept within each). Default 1. */
  partitionsConsumedConcurrently?: number;
  /** Called once per record, in offset order per partition; a rejection makes the record come again. */
  eachMessage(payload: EachMessagePayload): Promise<void>;
}

export interface ConsumerCrash {
  error: KafkaClientError;
  /** False when the client gave up and the consumer stays stopped. */
  restarting: boolean;
}

/** A consumer in a consumer group. Never creates topics. */
export interface ConsumerPort {
  connect(): Promise<void>;
  subscribe(request: { topics: (string | RegExp)[]; fromBeginning?: boolean }): Promise<void>;
  /** Starts fetching in the background; resolves once running. */
  run(run: ConsumerRun): Promise<void>;
  /** Moves a partition's position (call after `run`). */
  seek(position: { topic: string; partition: number; offset: string }): void;
  disconnect(): Promise<void>;
  onCrash(listener: (crash: ConsumerCrash) => void): void;
  /** Called each time the consumer has joined its group and got its partitions. */
  onGroupJoin(listener: () => void): void;
  /** Called after each fetched batch, also one holding only control records that no handler sees. */
  onBatchEnd(listener: (batch: { topic: string; partition: number; lastOffset: string }) => void): void;
}

export interface NewTopic {
  topic: string;
  numPartitions?: number;
  replicationFactor?: number;
  configEntries?: { name: string; value: string }[];
}

export interface ClusterDescription {
  clusterId: string;
  brokers: { nodeId: number; host: string; port: number }[];
  controller: number | null;
}

export interface TopicMetadata {
  name: string;
  partitions: { partitionId: number; leader: number; replicas: number[]; isr: number[] }[];
}

export interface PartitionOffsets {
  partition: number;
  /** The first offset still held. */
  low: string;
  /** The offset the next record will get. */
  high: string;
}

export interface CommittedOffsets {
  topic: string;
  /** `-1` for a partition the group never committed. */
  partitions: { partition: number; offset: string }[];
}

export type AclResourceType = 'TOPIC' | 'GROUP' | 'CLUSTER' | 'TRANSACTIONAL_ID' | 'DELEGATION_TOKEN';
export type AclPatternType = 'LITERAL' | 'PREFIXED';
export type AclOperation =
  | 'ALL'
  | 'READ'
  | 'WRITE'
  | 'CREATE'
  | 'DELETE'
  | 'ALTER'
  | 'DESCRIBE'
  | 'CLUSTER_ACTION'
  | 'DESCRIBE_CONFIGS'
  | 'ALTER_CONFIGS'
  | 'IDEMPOTENT_WRITE';
export type AclPermission = 'ALLOW' | 'DENY';

/** One ACL binding, e.g. ALLOW `User:bo-tu-phap` READ on TOPIC literal `lgsp.dossier.status.v1.bo-tu-phap`. */
export interface AclEntry {
  /** `User:<name>`, or `User:*`. */
  principal: string;
  host: string;
  resourceType: AclResourceType;
  resourceName: string;
  resourcePatternType: AclPatternType;
  operation: AclOperation;
  permissionType: AclPermission;
}

/** Cluster administration. Every call rejects with a KafkaClientError. */
export interface AdminPort {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  listTopics(): Promise<string[]>;
  /** Resolves once the broker has created them (with `waitForLeaders`, once their leaders are elected). */
  createTopics(request: { topics: NewTopic[]; waitForLeaders?: boolean }): Promise<void>;
  deleteTopics(topics: string[]): Promise<void>;
  describeCluster(): Promise<ClusterDescription>;
  fetchTopicMetadata(topics: string[]): Promise<TopicMetadata[]>;
  /** In partition order. */
  fetchTopicOffsets(topic: string): Promise<PartitionOffsets[]>;
  fetchCommittedOffsets(groupId: string, topics: string[]): Promise<CommittedOffsets[]>;
  /** Every ACL of the cluster; rejects with SECURITY_DISABLED when it runs no authorizer. */
  describeAcls(): Promise<AclEntry[]>;
  createAcls(entries: readonly AclEntry[]): Promise<void>;
}

/** A connection to one Kafka cluster, from which producers, consumers and admin clients are made. */
export interface KafkaClient {
  readonly brokers: string[];
  producer(options?: ProducerOptions): ProducerPort;
  consumer(options: ConsumerOptions): ConsumerPort;
  admin(options?: { retry?: RetryPolicy }): AdminPort;
}
