/**
 * Why a Kafka call failed, in the project's terms. `code` is the broker's protocol error name when the
 * broker answered one (`TOPIC_AUTHORIZATION_FAILED`, `OUT_OF_ORDER_SEQUENCE_NUMBER`, …), else one of
 * the client-side codes of `ClientErrorCode`. Callers switch on `code`, never on a client library's
 * error classes.
 */
export class KafkaClientError extends Error {
  override readonly name = 'KafkaClientError';
  constructor(
    readonly code: string,
    message: string,
    /** True when the same call may succeed later without anyone changing anything. */
    readonly retriable: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Failures the client itself detects (no broker answer to name them). */
export const ClientErrorCode = {
  /** No TCP connection to a broker, or it closed. */
  Connection: 'CONNECTION_ERROR',
  /** A request got no answer within the request timeout. */
  RequestTimeout: 'REQUEST_TIMED_OUT',
  /** A produce resolved without an answer for some partition its records went to (written or not). */
  Unanswered: 'PARTITION_UNANSWERED',
  /** No group coordinator could be found (also how a refused consumer group shows up). */
  CoordinatorNotAvailable: 'COORDINATOR_NOT_AVAILABLE',
  /** No broker known for a partition's leader, or no broker reachable at all. */
  BrokerNotAvailable: 'BROKER_NOT_AVAILABLE',
  /** SASL credentials refused. */
  AuthenticationFailed: 'SASL_AUTHENTICATION_FAILED',
  /** Anything else the client library raised. */
  Client: 'CLIENT_ERROR',
} as const;

/** Broker answers after which an idempotent producer's state no longer matches the broker's. */
export const IDEMPOTENCE_LOST_CODES: ReadonlySet<string> = new Set([
  'OUT_OF_ORDER_SEQUENCE_NUMBER',
  'UNKNOWN_PRODUCER_ID',
  'INVALID_PRODUCER_EPOCH',
  'INVALID_PRODUCER_ID_MAPPING',
]);

/**
 * Broker answers that are about the records themselves or the topic's setup: nothing of the request was
 * written, and sending the same records again cannot succeed until someone changes them or the cluster's
 * configuration. After any other failure of a produce request, its records may or may not have been written.
 */
export const RECORD_FAULT_CODES: ReadonlySet<string> = new Set([
  'CLOSED',
  'MESSAGE_TOO_LARGE',
  'RECORD_LIST_TOO_LARGE',
  'INVALID_RECORD',
  'CORRUPT_MESSAGE',
  'INVALID_TOPIC_EXCEPTION',
  'TOPIC_AUTHORIZATION_FAILED',
  'CLUSTER_AUTHORIZATION_FAILED',
  'UNSUPPORTED_FOR_MESSAGE_FORMAT',
]);

/** The code of any error a Kafka call rejected with. */
export function kafkaErrorCode(error: unknown): string {
  return error instanceof KafkaClientError ? error.code : ClientErrorCode.Client;
}
