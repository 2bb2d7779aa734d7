import type { AppLogger } from '@lienthong/observability';
import type { KafkaSecurity } from './kafka-security';
import type { OutboxOptions } from './outbox/outbox';

export interface MessagingOptions {
  brokers: string[];
  /** Identifies this process to the broker, e.g. `lienthong-gateway`. */
  clientId: string;
  /** TLS and SASL/SCRAM identity of this process; unset: PLAINTEXT. */
  security?: KafkaSecurity;
  /** A send not acknowledged by all in-sync replicas within this time rejects. */
  sendTimeoutMs: number;
  /** Readiness gives up on describeCluster after this long. */
  healthTimeoutMs: number;
  logger: AppLogger;
  /** The outbox dispatcher's shards, lease, poll and retention (defaults in OutboxOptions). */
  outbox?: OutboxOptions;
}

export interface ConsumerPolicy {
  /** Attempts of a transiently failing handler before the message is dead-lettered. */
  maxAttempts: number;
  /** First retry delay; doubles per attempt with jitter, capped at maxDelayMs. */
  baseDelayMs: number;
  maxDelayMs: number;
}

export const MESSAGING_OPTIONS = Symbol('MESSAGING_OPTIONS');
export const CONSUMER_POLICY = Symbol('CONSUMER_POLICY');
