import { ServerKafka } from '@nestjs/microservices';
// Nest's own copy of the client types, which ServerKafka.bindEvents is declared with
import type {
  Consumer,
  EachBatchPayload,
  KafkaMessage,
} from '@nestjs/microservices/external/kafka.interface';
import { whileHeartbeating } from './heartbeat';

/**
 * Nest's Kafka server with the handler of each topic looked up once. Nest finds a record's handler by
 * trying `JSON.parse` on the topic name first, which throws (and is caught) for every record: 6–7% of the
 * relay's CPU at a thousand records a second. Each record's handling heartbeats (heartbeat.ts).
 */
export class RoutedServerKafka extends ServerKafka {
  private readonly routes = new Map<string, ReturnType<ServerKafka['getHandlerByPattern']>>();

  /** One record at a time per partition (KeyedBatchServerKafka heartbeats per batch instead). */
  override getMessageHandler(): ReturnType<ServerKafka['getMessageHandler']> {
    return (payload) => whileHeartbeating(payload.heartbeat, () => this.handleMessage(payload));
  }

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
 *
 * Offsets are committed every `commitIntervalMs`, not after each batch: kafkajs's auto-commit sends an
 * OffsetCommit after every partition's batch and waits for it before fetching on, a broker round trip
 * in the path of every record (at a thousand records a second it was half of ministry routing's delay).
 * A crash, a rebalance or a failed record makes the records handled since the last commit come again,
 * which every handler of ours absorbs (they are idempotent by event id); a failed record commits what
 * came before it first, and closing the server commits what was handled.
 */
export class KeyedBatchServerKafka extends RoutedServerKafka {
  private readonly slots: Slots | undefined;
  private readonly commitIntervalMs: number;
  /** Next offset to read, per partition, of records handled since the last commit. */
  private readonly handled = new Map<string, { topic: string; partition: number; offset: string }>();
  private committer?: NodeJS.Timeout;
  private boundConsumer?: Consumer;
  /** Counts the consumer's group joins: offsets handled before a rebalance are not committed after it. */
  private generation = 0;

  /**
   * `keyed.concurrency` bounds the records handled at once across the keys of every partition this server
   * consumes (unset: a whole batch at once); a key's records still go one after another.
   * `keyed.commitIntervalMs`: how often handled offsets are committed (default 500 ms).
   */
  constructor(
    options: ConstructorParameters<typeof ServerKafka>[0],
    keyed: { concurrency?: number; commitIntervalMs?: number } = {},
  ) {
    super(options);
    this.slots = keyed.concurrency ? new Slots(keyed.concurrency) : undefined;
    this.commitIntervalMs = keyed.commitIntervalMs ?? 500;
  }

  override async bindEvents(consumer: Consumer): Promise<void> {
    const patterns = [...this.messageHandlers.keys()];
    if (patterns.length > 0) {
      await consumer.subscribe({ ...(this.options.subscribe ?? {}), topics: patterns });
    }
    this.boundConsumer = consumer;
    // after a rebalance the partitions may be another member's: what was not committed comes again
    consumer.on(consumer.events.GROUP_JOIN, () => {
      this.generation++;
      this.handled.clear();
    });
    clearInterval(this.committer);
    this.committer = setInterval(() => void this.commitHandled(), this.commitIntervalMs);
    this.committer.unref();
    await consumer.run({
      ...(this.options.run ?? {}),
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: (payload) => this.handleBatch(payload),
    });
  }

  override async close(): Promise<void> {
    clearInterval(this.committer);
    this.committer = undefined;
    await this.commitHandled();
    await super.close();
  }

  /**
   * Commits the offsets handled since the last commit. When Kafka refuses the commit, the offsets are tried
   * again at the next one (unless newer ones replaced them), so the group's position still reaches the end
   * of a quiet topic; not after a rebalance, when the partitions may be another member's.
   */
  private async commitHandled(): Promise<void> {
    const consumer = this.boundConsumer;
    if (!consumer || this.handled.size === 0) return;
    const generation = this.generation;
    const offsets = [...this.handled];
    this.handled.clear();
    await consumer.commitOffsets(offsets.map(([, offset]) => offset)).catch(() => {
      if (generation !== this.generation) return;
      for (const [partition, offset] of offsets) {
        if (!this.handled.has(partition)) this.handled.set(partition, offset);
      }
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
    const results = await whileHeartbeating(heartbeat, () => Promise.all(outcomes));
    const firstFailure = results.findIndex((result) => result.failed);
    const completed = firstFailure === -1 ? taken.length : firstFailure;
    if (completed > 0) {
      const last = taken[completed - 1].offset;
      payload.resolveOffset(last);
      this.handled.set(`${batch.topic}\u0000${batch.partition}`, {
        topic: batch.topic,
        partition: batch.partition,
        offset: (BigInt(last) + 1n).toString(),
      });
    }
    if (firstFailure !== -1) {
      // the consumer starts again from the last commit: make it the record that failed
      await this.commitHandled();
      const failure = results[firstFailure];
      throw failure.failed ? failure.error : new Error('a record of the batch failed');
    }
    await heartbeat().catch(() => undefined);
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
