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

/** The code of any error a Kafka call rejected with. */
export function kafkaErrorCode(error: unknown): string {
  return error instanceof KafkaClientError ? error.code : ClientErrorCode.Client;
}
