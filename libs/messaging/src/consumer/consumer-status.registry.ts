import { Injectable } from '@nestjs/common';
import type { Observable } from 'rxjs';

export type ConsumerStatus =
  'starting' | 'connected' | 'rebalancing' | 'disconnected' | 'stopped' | 'crashed' | string;

/**
 * The latest status each consumer of this process reported on its status stream
 * (the Nest microservice `status` observable, fed by kafkajs instrumentation events).
 */
@Injectable()
export class ConsumerStatusRegistry {
  private readonly statuses = new Map<string, ConsumerStatus>();

  static isHealthy(status: ConsumerStatus): boolean {
    return status === 'connected' || status === 'rebalancing';
  }

  set(name: string, status: ConsumerStatus): void {
    this.statuses.set(name, status);
  }

  track(name: string, stream: Observable<string>): void {
    this.set(name, 'starting');
    stream.subscribe((status) => this.set(name, status));
  }

  snapshot(): Record<string, ConsumerStatus> {
    return Object.fromEntries(this.statuses);
  }
}
