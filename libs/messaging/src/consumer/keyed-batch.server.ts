import { ServerKafka } from '@nestjs/microservices';
// Nest's own copy of the client types, which ServerKafka.bindEvents is declared with
import type {
  Consumer,
  EachBatchPayload,
  KafkaMessage,
} from '@nestjs/microservices/external/kafka.interface';

/**
 * Nest's Kafka server with the handler of each topic looked up once. Nest finds a record's handler by
 * trying `JSON.parse` on the topic name first, which throws (and is caught) for every record: 6–7% of the
 * relay's CPU at a thousand records a second.
 */
export class RoutedServerKafka extends ServerKafka {
  private readonly routes = new Map<string, ReturnType<ServerKafka['getHandlerByPattern']>>();

  override addHandler(...args: Parameters<ServerKafka['addHandler']>): void {
    this.routes.clear();
    super.addHandler(...args);
  }

  override getHandlerByPattern(pattern: string): ReturnType<ServerKafka['getHandlerByPattern']> {
    if (this.routes.has(pattern)) return this.routes.get(pattern)!;
    const handler = super.getHandlerByPattern(pattern);
    this.routes.set(pattern, handler);
    return handler;
  }
}

/**
 * A Nest Kafka server that hands each fetched batch to the same `@EventPattern` handlers, one chain per
 * record key: a key's records are handled one after another, in offset order, while different keys
 * are handled at the same time. Offsets are resolved only up to the last record before which every
 * record has been handled, so a crash or an error never skips one (records after it come again).
 *
 * Nest's own server handles a partition's records strictly one at a time, so a handler that waits on
 * a broker round trip per record (copying it to another topic) can do one record per round trip and
 * per partition. Here the sends of a whole batch travel together. Only per-key order is kept, which
 * is the order our topics promise (records are keyed by dossier code).
 */
export class KeyedBatchServerKafka extends RoutedServerKafka {
  private readonly slots: Slots | undefined;

  /**
   * `keyed.concurrency` bounds the records handled at once across the keys of every partition this server
   * consumes (unset: a whole batch at once); a key's records still go one after another.
   */
  constructor(options: ConstructorParameters<typeof ServerKafka>[0], keyed: { concurrency?: number } = {}) {
    super(options);
    this.slots = keyed.concurrency ? new Slots(keyed.concurrency) : undefined;
  }

  override async bindEvents(consumer: Consumer): Promise<void> {
    const patterns = [...this.messageHandlers.keys()];
    if (patterns.length > 0) {
      await consumer.subscribe({ ...(this.options.subscribe ?? {}), topics: patterns });
    }
    await consumer.run({
      ...(this.options.run ?? {}),
      eachBatchAutoResolve: false,
      eachBatch: (payload) => this.handleBatch(payload),
    });
  }

  private async handleBatch(payload: EachBatchPayload): Promise<void> {
    const { batch, heartbeat, pause, isRunning, isStale } = payload;
    const chains = new Map<string, Promise<void>>();
    const outcomes: Promise<{ failed: false } | { failed: true; error: unknown }>[] = [];
    const taken: KafkaMessage[] = [];
    for (const message of batch.messages) {
      if (!isRunning() || isStale()) break;
      const key = keyOf(message);
      // a heartbeat after each record keeps the member in its group through a batch of slow calls (kafkajs
      // sends one only when the heartbeat interval has passed)
      const handle = () =>
        this.handleMessage({
          topic: batch.topic,
          partition: batch.partition,
          message,
          heartbeat,
          pause,
        }).then(() => heartbeat().catch(() => undefined));
      const slots = this.slots;
      // after a failed record its key's chain stays rejected: later records of the key are not handled
      // here but fetched again with it
      const handled = (chains.get(key) ?? Promise.resolve()).then(() =>
        slots ? slots.run(handle) : handle(),
      );
      chains.set(key, handled);
      outcomes.push(
        handled.then(
          () => ({ failed: false as const }),
          (error: unknown) => ({ failed: true as const, error }),
        ),
      );
      taken.push(message);
    }
    const results = await Promise.all(outcomes);
    const firstFailure = results.findIndex((result) => result.failed);
    const completed = firstFailure === -1 ? taken.length : firstFailure;
    if (completed > 0) payload.resolveOffset(taken[completed - 1].offset);
    if (firstFailure !== -1) {
      await payload.commitOffsetsIfNecessary().catch(() => undefined);
      const failure = results[firstFailure];
      throw failure.failed ? failure.error : new Error('a record of the batch failed');
    }
    await heartbeat().catch(() => undefined);
    await payload.commitOffsetsIfNecessary();
  }
}

function keyOf(message: KafkaMessage): string {
  return message.key ? message.key.toString('latin1') : `\u0000${message.offset}`;
}

/** At most `size` tasks at once; the others wait their turn in arrival order. */
class Slots {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly size: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running >= this.size) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.running++;
    try {
      return await task();
    } finally {
      // hand the slot straight to the next in line, or give it back
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}
