import { counter, histogram, LATENCY_BUCKETS } from '@lienthong/observability';

export const produceDuration = histogram({
  name: 'lgsp_kafka_produce_duration_seconds',
  help: 'Time from send to acknowledgement by all in-sync replicas (acks=all)',
  labelNames: ['topic', 'outcome'] as const,
  buckets: LATENCY_BUCKETS,
});

export const produceErrors = counter({
  name: 'lgsp_kafka_produce_errors_total',
  help: 'Sends that were rejected, by topic and error code',
  labelNames: ['topic', 'code'] as const,
});

export const producedMessages = counter({
  name: 'lgsp_kafka_produced_messages_total',
  help: 'Messages acknowledged by the broker',
  labelNames: ['topic'] as const,
});

export const consumedMessages = counter({
  name: 'lgsp_consumer_messages_total',
  help: 'Messages handled by consumers, by outcome (processed, dead_lettered)',
  labelNames: ['topic', 'outcome'] as const,
});

export const consumerRetries = counter({
  name: 'lgsp_consumer_retries_total',
  help: 'Handler attempts that failed transiently and were retried',
  labelNames: ['topic'] as const,
});

export const handlerDuration = histogram({
  name: 'lgsp_consumer_handler_duration_seconds',
  help: 'Time a consumer handler took per message, retries included',
  labelNames: ['topic'] as const,
  buckets: LATENCY_BUCKETS,
});

export const deadLetters = counter({
  name: 'lgsp_dead_letters_total',
  help: 'Messages sent to the dead-letter topic, by source topic and reason code',
  labelNames: ['source_topic', 'code'] as const,
});
