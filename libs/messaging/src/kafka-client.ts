import { Kafka, logLevel, LogEntry } from 'kafkajs';
import type { AppLogger } from '@lienthong/observability';
import { KafkaSecurity, kafkaConnectionConfig } from './kafka-security';

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

export function createKafka(options: {
  brokers: string[];
  clientId: string;
  logger: AppLogger;
  security?: KafkaSecurity;
}): Kafka {
  return new Kafka({
    clientId: options.clientId,
    brokers: options.brokers,
    ...kafkaConnectionConfig(options.security),
    logLevel: logLevel.WARN,
    logCreator: kafkaLogCreator(options.logger),
    connectionTimeout: 3000,
    requestTimeout: 10000,
    retry: { initialRetryTime: 100, retries: 5, maxRetryTime: 2000 },
  });
}
