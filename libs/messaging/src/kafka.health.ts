import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { gauge } from '@lienthong/observability';
import { KafkaAdmin } from './kafka-admin.service';
import { ConsumerStatusRegistry } from './consumer/consumer-status.registry';

const kafkaUp = gauge({
  name: 'lgsp_kafka_up',
  help: '1 when the last readiness check reached the Kafka cluster',
});

/** Readiness of the Kafka cluster (describeCluster within a timeout) and of this process's consumers. */
@Injectable()
export class KafkaHealthIndicator {
  constructor(
    private readonly admin: KafkaAdmin,
    private readonly consumers: ConsumerStatusRegistry,
    private readonly health: HealthIndicatorService,
  ) {}

  async kafka(key = 'kafka') {
    const check = this.health.check(key);
    const started = Date.now();
    try {
      const cluster = await this.admin.describeCluster();
      kafkaUp.set(1);
      return check.up({
        brokers: cluster.brokers,
        controller: cluster.controller,
        latencyMs: Date.now() - started,
      });
    } catch (error) {
      kafkaUp.set(0);
      return check.down({ message: (error as Error).message });
    }
  }

  consumerStatus(key = 'consumers') {
    const check = this.health.check(key);
    const consumers = this.consumers.snapshot();
    const failing = Object.entries(consumers).filter(
      ([, status]) => !ConsumerStatusRegistry.isHealthy(status),
    );
    return failing.length ? check.down({ consumers }) : check.up({ consumers });
  }
}
