import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { AuditLog, successfulRequests } from '@lienthong/audit';
import { Database } from '@lienthong/storage';
import { parseDossierCode } from '@lienthong/domain';
import {
  DeadLetterHeader,
  DeadLetterStore,
  EventProducer,
  Topic,
  type DeadLetter,
  type DeadLetterFilter,
} from '@lienthong/messaging';
import { ProblemException, redactText, redactValue } from '@lienthong/observability';
import type { Caller } from '@lienthong/security';

/** What the list shows of a letter: no payload. */
export interface DeadLetterSummary {
  id: string;
  failedAt: string;
  code: string;
  reason: string;
  sourceTopic: string;
  group: string;
  key: string | null;
  attempts: number;
  replayTopic: string;
  /** The last replay of this letter from the console (audit log, service dlq.replay); null: never. */
  replayed: { at: string; by: string } | null;
}

/** One letter inspected: its payload and headers, personal data masked. */
export interface DeadLetterDetail extends DeadLetterSummary {
  headers: Record<string, string>;
  payload: unknown;
}

export type ReplayOutcome = 'REPLAYED' | 'FAILED';

export interface ReplayJob {
  id: string;
  startedAt: string;
  finishedAt?: string;
  operator: string;
  total: number;
  done: number;
  results: { id: string; key: string | null; replayTopic: string; outcome: ReplayOutcome; detail?: string }[];
}

const CODE = /^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$/;
const MAX_JOBS = 50;

/** The request id of a letter's replay record: names the letter, so the list can find it (indexed). */
export function replayRequestId(letterId: string): string {
  return `dlq-replay:${letterId}`;
}

function summary(letter: DeadLetter, replayed: DeadLetterSummary['replayed'] = null): DeadLetterSummary {
  return {
    id: letter.id,
    failedAt: letter.failedAt,
    code: letter.code,
    reason: redactText(letter.reason),
    sourceTopic: letter.sourceTopic,
    group: letter.group,
    key: letter.key,
    attempts: letter.attempts,
    replayTopic: letter.replayTopic,
    replayed,
  };
}

/** The payload as JSON where it is JSON, personal fields and ID-shaped numbers masked. */
function maskedPayload(value: Buffer | null): unknown {
  if (!value) return null;
  const text = value.toString('utf8');
  try {
    return redactValue(JSON.parse(text));
  } catch {
    return redactText(text.slice(0, 4_000));
  }
}

/**
 * Dead letters for the console: list with the CLI's filters (reason code, source topic, time), inspect one
 * masked, and replay one, a selection or a filter — a dry run says what would be sent where, a replay runs
 * in the background one letter at a time so the page can show progress and the outcome of each. Every
 * replayed letter is an audited operator action (service dlq.replay, as `lienthong dlq replay` records it),
 * under the signed-in client's id; a replay that cannot be audited is reported as failed.
 */
@Injectable()
export class ConsoleDeadLetters {
  private readonly store: DeadLetterStore;
  private readonly jobs = new Map<string, ReplayJob>();

  constructor(
    @Inject(EventProducer) private readonly producer: EventProducer,
    @Inject(AuditLog) private readonly audit: AuditLog,
    @Inject(Database) private readonly database: Database,
  ) {
    this.store = DeadLetterStore.forBrokers(producer.brokers, producer);
  }

  /** The letters of the filter, each marked with its last successful replay from the console, if any. */
  async list(filter: DeadLetterFilter): Promise<DeadLetterSummary[]> {
    const letters = await this.store.list(filter);
    const replays = letters.length
      ? await successfulRequests(
          this.database,
          'dlq.replay',
          letters.map((letter) => replayRequestId(letter.id)),
        )
      : new Map<string, { clientId: string; at: Date }>();
    return letters.map((letter) => {
      const replay = replays.get(replayRequestId(letter.id));
      return summary(letter, replay ? { at: replay.at.toISOString(), by: replay.clientId } : null);
    });
  }

  async inspect(id: string): Promise<DeadLetterDetail> {
    const [letter] = await this.store.list({ ids: [id] });
    if (!letter) {
      throw new ProblemException(
        404,
        'DEAD_LETTER_NOT_FOUND',
        'No such dead letter',
        `No dead letter ${id}.`,
      );
    }
    const headers = Object.fromEntries(
      Object.entries(letter.headers).map(([name, value]) => [name, redactText(value)]),
    );
    return { ...summary(letter), headers, payload: maskedPayload(letter.value) };
  }

  /** What a replay of the filter would send: nothing is sent. */
  async dryRun(filter: DeadLetterFilter): Promise<DeadLetterSummary[]> {
    return this.list(filter);
  }

  /** Starts replaying what the filter selects; the job's progress is read with {@link job}. */
  async replay(filter: DeadLetterFilter, caller: Caller): Promise<ReplayJob> {
    const letters = await this.store.list(filter);
    const job: ReplayJob = {
      id: randomUUID(),
      startedAt: new Date().toISOString(),
      operator: caller.clientId,
      total: letters.length,
      done: 0,
      results: [],
    };
    this.jobs.set(job.id, job);
    while (this.jobs.size > MAX_JOBS) this.jobs.delete(this.jobs.keys().next().value!);
    void this.run(job, letters, caller);
    return job;
  }

  job(id: string): ReplayJob {
    const job = this.jobs.get(id);
    if (!job) throw new ProblemException(404, 'REPLAY_NOT_FOUND', 'No such replay', `No replay ${id}.`);
    return job;
  }

  private async run(job: ReplayJob, letters: DeadLetter[], caller: Caller): Promise<void> {
    for (const letter of letters) {
      let outcome: ReplayOutcome = 'REPLAYED';
      let detail: string | undefined;
      try {
        await this.send(letter);
      } catch (error) {
        outcome = 'FAILED';
        detail = redactText((error as Error).message);
      }
      try {
        await this.audit.recordAndWait({
          requestId: replayRequestId(letter.id),
          clientId: caller.clientId,
          credentialId: caller.credentialId,
          service: 'dlq.replay',
          upstream: 'dead-letters',
          subject: { kind: 'NONE' },
          outcome: outcome === 'REPLAYED' ? 'OK' : 'ERROR',
          ...(CODE.test(letter.code) && letter.code.length <= 64 ? { outcomeCode: letter.code } : {}),
          ...(letter.key && parseDossierCode(letter.key) ? { dossierCode: letter.key } : {}),
        });
      } catch (error) {
        outcome = 'FAILED';
        detail = `sent, but not audited: ${redactText((error as Error).message)}`;
      }
      job.results.push({ id: letter.id, key: letter.key, replayTopic: letter.replayTopic, outcome, detail });
      job.done += 1;
    }
    job.finishedAt = new Date().toISOString();
  }

  /**
   * Sends one letter back as DeadLetterStore.replay does: its original key, value and headers to its
   * replay topic, addressed to the consumer group that gave up on it.
   */
  private async send(letter: DeadLetter): Promise<void> {
    const original = Object.fromEntries(
      Object.entries(letter.headers).filter(([name]) => !name.startsWith('lgsp-')),
    );
    await this.producer.send(letter.replayTopic, [
      {
        key: letter.key,
        value: letter.value,
        headers: {
          ...original,
          [DeadLetterHeader.ReplayFor]: letter.replayGroup,
          [DeadLetterHeader.ReplayedFrom]: `${Topic.DeadLetter}/${letter.id}`,
        },
      },
    ]);
  }
}
