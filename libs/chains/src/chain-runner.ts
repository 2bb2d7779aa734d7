import { createHash } from 'node:crypto';
import { UpstreamError } from '@lienthong/adapters/common';
import {
  chainSystemErrors,
  type ChainStepAnswer,
  type ChainSystemClient,
} from '@lienthong/adapters/chain-systems';
import {
  dueAt,
  type ChainDefinition,
  type ChainDefinitions,
  type ChainStep,
  type NationalSource,
} from '@lienthong/domain';
import type { ChainEvent } from '@lienthong/contracts';
import type { Database, Queryable } from '@lienthong/storage';
import type { ParentStatusSink } from './parent-dossier-status';

export type ChainStatus = 'RUNNING' | 'COMPLETED' | 'STOPPED' | 'FAILED';
export type StepStatus = 'WAITING' | 'READY' | 'SUBMITTED' | 'DONE' | 'REFUSED' | 'SKIPPED' | 'FAILED';
const TERMINAL: ReadonlySet<StepStatus> = new Set(['DONE', 'REFUSED', 'SKIPPED', 'FAILED']);

/** Where the runner reads what a step needs from a national database (reused, never asked of the citizen). */
export interface NationalData {
  /** The `fields` (chain field names) `source` holds for this application, read with its identifiers. */
  read(
    source: NationalSource,
    fields: readonly string[],
    application: Readonly<Record<string, string>>,
    ctx: { requestId: string; parentDossierCode: string },
  ): Promise<Record<string, string>>;
}

export interface StartChain {
  parentDossierCode: string;
  chainCode: string;
  agencyCode: string;
  clientId: string;
  /** The application's fields, by the chain's field names. */
  application: Readonly<Record<string, string>>;
}

export interface ChainStepView {
  id: string;
  name: { vi: string; en: string };
  system: string;
  status: StepStatus;
  attempts: number;
  startedAt: string | null;
  finishedAt: string | null;
  dueAt: string | null;
  overdue: boolean;
  /** What the step produced (certificate numbers, card number, ...), once done. */
  results?: Record<string, string>;
  refusal?: { code: string; reason: string };
}

export interface ChainView {
  parentDossierCode: string;
  chainCode: string;
  agencyCode: string;
  clientId: string;
  status: ChainStatus;
  /** Why a chain stopped or failed: the step, and the reason written for the citizen. */
  stopReason: { step: string; code: string; reason: string } | null;
  createdAt: string;
  updatedAt: string;
  steps: ChainStepView[];
}

export type ChainRefusalCode =
  'UNKNOWN_CHAIN' | 'APPLICATION_FIELD_MISSING' | 'NATIONAL_DATA_MISSING' | 'CHAIN_CONFLICT';

/** A chain the runner refuses to start; `code` is stable for problem+json answers. */
export class ChainStartError extends Error {
  constructor(
    readonly code: ChainRefusalCode,
    message: string,
    readonly fields: readonly string[] = [],
  ) {
    super(message);
    this.name = 'ChainStartError';
  }
}

/**
 * Where every transition goes besides chain_transition: `write` runs inside the transaction that makes the
 * transition (the transactional outbox), `committed` after it commits (to wake the outbox's dispatcher).
 */
export interface ChainEventSink {
  write(tx: Queryable, event: ChainEvent): Promise<void>;
  committed(): void;
}

export interface ChainRunnerOptions {
  /** Publishes each transition (lgsp.chain.events.v1 through the outbox); none: recorded in the database only. */
  events?: ChainEventSink;
  /**
   * Moves the parent dossier's status on lgsp.dossier.status.v1 as the chain starts, completes or stops
   * (ParentDossierStatusRepository); none: the one-stop system alone reports it.
   */
  parentStatus?: ParentStatusSink;
  /** Agency-system clients by interface name (`civil-status-v1`, ...). */
  systems: ReadonlyMap<string, ChainSystemClient>;
  national: NationalData;
  /** How long a claimed step is left to its runner before another may take it over. Default 60 s. */
  leaseMs?: number;
  /** Backoff of a step whose system is unavailable: base doubling up to max. Defaults 1 s, 5 min. */
  retryBaseMs?: number;
  retryMaxMs?: number;
  now?: () => Date;
}

interface StepRow {
  parent_dossier_code: string;
  step_id: string;
  position: number;
  status: StepStatus;
  reference: string | null;
  attempts: number;
  due_at: Date | string | null;
  overdue_at: Date | string | null;
  refusal_code: string | null;
  refusal_reason: string | null;
  started_at: Date | string | null;
  finished_at: Date | string | null;
}

interface InstanceRow {
  parent_dossier_code: string;
  chain_code: string;
  agency_code: string;
  client_id: string;
  status: ChainStatus;
  fields: Record<string, string> | string;
  stop_reason: ChainView['stopReason'] | string | null;
  created_at: Date | string;
  updated_at: Date | string;
}

const iso = (value: Date | string | null): string | null =>
  value === null ? null : new Date(value).toISOString();
const json = <T>(value: T | string): T => (typeof value === 'string' ? (JSON.parse(value) as T) : value);

/** The steps a step waits for: those whose results it needs. */
function prerequisites(step: ChainStep): string[] {
  return step.needs.flatMap((need) => (need.from.kind === 'step' ? [need.from.step] : []));
}

/**
 * Runs procedure chains from durable state: `start` records an application and its steps (reading what
 * the national databases hold for it once, at the start), `runDue` does the work that is due — sends ready
 * steps to their agency systems, polls undecided ones, passes each step's results to the steps that need
 * them, applies a refusal's policy, and marks steps past their legal time limit — and `view` shows where a
 * chain stands. Every transition is recorded in `chain_transition`.
 */
export class ChainRunner {
  private readonly now: () => Date;
  private readonly leaseMs: number;
  private readonly retryBaseMs: number;
  private readonly retryMaxMs: number;

  constructor(
    private readonly db: Database,
    private readonly definitions: ChainDefinitions,
    private readonly options: ChainRunnerOptions,
  ) {
    this.now = options.now ?? (() => new Date());
    this.leaseMs = options.leaseMs ?? 60_000;
    this.retryBaseMs = options.retryBaseMs ?? 1_000;
    this.retryMaxMs = options.retryMaxMs ?? 300_000;
  }

  /** A transaction of the runner; the event sink learns when it has committed. */
  private async tx<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
    const result = await this.db.transaction(work);
    this.options.events?.committed();
    this.options.parentStatus?.committed();
    return result;
  }

  /**
   * Starts the chain of an application, or answers the one already started for this parent dossier with
   * the same application (a resend); another application under the same code is refused.
   */
  async start(input: StartChain, ctx: { requestId: string }): Promise<ChainView> {
    const chain = this.definitions.chains.get(input.chainCode);
    if (!chain) throw new ChainStartError('UNKNOWN_CHAIN', `no chain "${input.chainCode}" is defined`);
    const missing = chain.applicationFields.filter((field) => {
      const value = input.application[field];
      return typeof value !== 'string' || value.trim() === '';
    });
    if (missing.length > 0) {
      throw new ChainStartError(
        'APPLICATION_FIELD_MISSING',
        'the application lacks fields the chain needs',
        missing,
      );
    }
    const application = Object.fromEntries(
      chain.applicationFields.map((f) => [f, input.application[f].trim()]),
    );
    const fingerprint = createHash('sha256')
      .update(JSON.stringify([input.chainCode, input.agencyCode, Object.entries(application).sort()]))
      .digest('hex');
    const existing = await this.db.queryOne<{ fingerprint: string }>(
      'SELECT fingerprint FROM chain_instance WHERE parent_dossier_code = $1',
      [input.parentDossierCode],
    );
    if (existing) return this.resend(existing.fingerprint, fingerprint, input.parentDossierCode);

    // what the national databases hold for this application, read once
    const national: Record<string, string> = {};
    for (const source of new Set(
      chain.steps.flatMap((s) => s.needs.flatMap((n) => (n.from.kind === 'national' ? [n.from.source] : []))),
    )) {
      const fields = [
        ...new Set(
          chain.steps.flatMap((s) =>
            s.needs.flatMap((n) => (n.from.kind === 'national' && n.from.source === source ? n.fields : [])),
          ),
        ),
      ];
      Object.assign(
        national,
        await this.options.national.read(source, fields, application, {
          requestId: ctx.requestId,
          parentDossierCode: input.parentDossierCode,
        }),
      );
    }

    // a step would fail later for want of what the national databases do not hold (or the client may not see)
    const unmet = [
      ...new Set(
        chain.steps.flatMap((s) => s.needs.flatMap((n) => (n.from.kind === 'national' ? n.fields : []))),
      ),
    ].filter((field) => typeof national[field] !== 'string' || national[field] === '');
    if (unmet.length > 0) {
      throw new ChainStartError(
        'NATIONAL_DATA_MISSING',
        'the national databases do not hold data the chain needs',
        unmet,
      );
    }

    const now = this.now();
    const inserted = await this.tx(async (tx) => {
      const rows = await tx.query(
        `INSERT INTO chain_instance (parent_dossier_code, chain_code, agency_code, client_id, status, fields,
                                     fingerprint, created_at, updated_at)
         VALUES ($1, $2, $3, $4, 'RUNNING', $5, $6, $7, $7)
         ON CONFLICT (parent_dossier_code) DO NOTHING RETURNING parent_dossier_code`,
        [
          input.parentDossierCode,
          input.chainCode,
          input.agencyCode,
          input.clientId,
          JSON.stringify({ ...national, ...application }),
          fingerprint,
          now,
        ],
      );
      if (rows.length === 0) return false;
      for (const step of chain.steps) {
        const ready = prerequisites(step).length === 0;
        await tx.query(
          `INSERT INTO chain_step (parent_dossier_code, step_id, position, status, next_attempt_at, due_at, started_at)
           VALUES ($1, $2, $3, $4, $5, $6, $5)`,
          [
            input.parentDossierCode,
            step.id,
            step.index,
            ready ? 'READY' : 'WAITING',
            ready ? now : null,
            ready ? (dueAt(now, step.timeLimit) ?? null) : null,
          ],
        );
      }
      await this.transition(
        tx,
        input.parentDossierCode,
        null,
        'chain.started',
        { chain: input.chainCode },
        now,
      );
      return true;
    });
    if (!inserted) {
      const raced = await this.db.queryOne<{ fingerprint: string }>(
        'SELECT fingerprint FROM chain_instance WHERE parent_dossier_code = $1',
        [input.parentDossierCode],
      );
      return this.resend(raced!.fingerprint, fingerprint, input.parentDossierCode);
    }
    return (await this.view(input.parentDossierCode))!;
  }

  private async resend(stored: string, given: string, parentDossierCode: string): Promise<ChainView> {
    if (stored !== given) {
      throw new ChainStartError(
        'CHAIN_CONFLICT',
        'a chain with another application was started for this dossier',
      );
    }
    return (await this.view(parentDossierCode))!;
  }

  /**
   * Works on up to `limit` due steps (ready to send, or submitted and due for a poll), and marks steps past
   * their time limit. Returns the number of steps worked on.
   */
  async runDue(limit = 16, ctx: { requestId: string } = { requestId: 'chain-runner' }): Promise<number> {
    const now = this.now();
    await this.markOverdue(now);
    // claim: push each step's next attempt forward by the lease, so no other runner takes it meanwhile
    const claimed = await this.db.transaction(async (tx) => {
      const rows = await tx.query<StepRow & { chain_code: string }>(
        `SELECT s.*, i.chain_code FROM chain_step s JOIN chain_instance i USING (parent_dossier_code)
          WHERE s.status IN ('READY', 'SUBMITTED') AND s.next_attempt_at <= $1 AND i.status = 'RUNNING'
          ORDER BY s.next_attempt_at LIMIT $2 FOR UPDATE OF s SKIP LOCKED`,
        [now, limit],
      );
      for (const row of rows) {
        await tx.query(
          'UPDATE chain_step SET next_attempt_at = $3, attempts = attempts + 1 WHERE parent_dossier_code = $1 AND step_id = $2',
          [row.parent_dossier_code, row.step_id, new Date(now.getTime() + this.leaseMs)],
        );
      }
      return rows;
    });
    await Promise.all(claimed.map((row) => this.work(row, ctx)));
    return claimed.length;
  }

  private async work(row: StepRow & { chain_code: string }, ctx: { requestId: string }): Promise<void> {
    const chain = this.definitions.chains.get(row.chain_code);
    const step = chain?.steps.find((s) => s.id === row.step_id);
    if (!chain || !step) return;
    const client = this.options.systems.get(step.system.interface);
    const requestId = `${ctx.requestId}.${row.step_id}`.slice(0, 128).replace(/[^A-Za-z0-9._:-]/g, '-');
    let answer: ChainStepAnswer;
    try {
      if (!client)
        throw chainSystemErrors(step.system.slug, step.system.interface).ofKind(
          'UNAVAILABLE',
          `no client for ${step.system.interface}`,
        );
      if (row.status === 'SUBMITTED' && row.reference) {
        answer = await client.check(row.reference, { requestId });
      } else {
        const instance = await this.db.queryOne<{ fields: Record<string, string> | string }>(
          'SELECT fields FROM chain_instance WHERE parent_dossier_code = $1',
          [row.parent_dossier_code],
        );
        const all = json(instance!.fields);
        const fields = Object.fromEntries(
          step.needs.flatMap((need) => need.fields.filter((f) => f in all).map((f) => [f, all[f]])),
        );
        answer = await client.submit(
          {
            transactionId: `${row.parent_dossier_code}.${row.step_id}`.slice(-64),
            operation: step.id,
            fields,
          },
          { requestId },
        );
      }
    } catch (error) {
      await this.failed(row, step, error);
      return;
    }
    await this.record(chain, step, row, answer);
  }

  private async failed(row: StepRow, step: ChainStep, error: unknown): Promise<void> {
    const now = this.now();
    const upstream = error instanceof UpstreamError ? error : undefined;
    const kind = upstream?.kind ?? 'UNAVAILABLE';
    const code = upstream?.code ?? 'CHAIN_SYSTEM_UNAVAILABLE';
    // worth trying again: the system down or slow, or credentials an operator can put right
    const retry = !upstream || upstream.transient || kind === 'AUTHENTICATION';
    await this.tx(async (tx) => {
      if (retry) {
        const delay = Math.min(this.retryMaxMs, this.retryBaseMs * 2 ** Math.max(0, row.attempts));
        await tx.query(
          'UPDATE chain_step SET next_attempt_at = $3, last_error = $4 WHERE parent_dossier_code = $1 AND step_id = $2',
          [row.parent_dossier_code, row.step_id, new Date(now.getTime() + delay), code],
        );
        await this.transition(
          tx,
          row.parent_dossier_code,
          step.id,
          'step.retry',
          { error: code, delayMs: delay },
          now,
        );
        return;
      }
      await tx.query(
        `UPDATE chain_step SET status = 'FAILED', last_error = $3, finished_at = $4, next_attempt_at = NULL
          WHERE parent_dossier_code = $1 AND step_id = $2`,
        [row.parent_dossier_code, row.step_id, code, now],
      );
      await this.finishChain(
        tx,
        row.parent_dossier_code,
        'FAILED',
        {
          step: step.id,
          code,
          reason: 'Hồ sơ liên thông cần cán bộ xử lý (lỗi kết nối với hệ thống chuyên ngành).',
        },
        now,
      );
      await this.transition(tx, row.parent_dossier_code, step.id, 'step.failed', { error: code }, now);
    });
  }

  private async record(
    chain: ChainDefinition,
    step: ChainStep,
    row: StepRow,
    answer: ChainStepAnswer,
  ): Promise<void> {
    const now = this.now();
    const key = row.parent_dossier_code;
    await this.tx(async (tx) => {
      // the step may have been settled meanwhile by a runner that took over after a lease ran out
      const current = await tx.queryOne<{ status: StepStatus }>(
        'SELECT status FROM chain_step WHERE parent_dossier_code = $1 AND step_id = $2 FOR UPDATE',
        [key, step.id],
      );
      if (!current || TERMINAL.has(current.status)) return;
      if (answer.state === 'pending') {
        await tx.query(
          `UPDATE chain_step SET status = 'SUBMITTED', reference = $3, next_attempt_at = $4, last_error = NULL
            WHERE parent_dossier_code = $1 AND step_id = $2`,
          [key, step.id, answer.reference, new Date(now.getTime() + answer.retryAfterMs)],
        );
        if (current.status !== 'SUBMITTED') {
          await this.transition(tx, key, step.id, 'step.submitted', { reference: answer.reference }, now);
        }
        return;
      }
      if (answer.state === 'done') {
        await tx.query(
          `UPDATE chain_step SET status = 'DONE', finished_at = $3, next_attempt_at = NULL, last_error = NULL
            WHERE parent_dossier_code = $1 AND step_id = $2`,
          [key, step.id, now],
        );
        await tx.query(
          'UPDATE chain_instance SET fields = fields || $2::jsonb, updated_at = $3 WHERE parent_dossier_code = $1',
          [key, JSON.stringify(answer.produces), now],
        );
        await this.transition(tx, key, step.id, 'step.done', { produced: Object.keys(answer.produces) }, now);
        await this.release(tx, chain, key, now);
        return;
      }
      await tx.query(
        `UPDATE chain_step SET status = 'REFUSED', refusal_code = $3, refusal_reason = $4, finished_at = $5,
                next_attempt_at = NULL WHERE parent_dossier_code = $1 AND step_id = $2`,
        [key, step.id, answer.code, answer.reason, now],
      );
      await this.transition(
        tx,
        key,
        step.id,
        'step.refused',
        { code: answer.code, reason: answer.reason },
        now,
      );
      if (step.onRefused.action === 'continue') {
        await this.release(tx, chain, key, now);
        return;
      }
      await this.finishChain(
        tx,
        key,
        'STOPPED',
        { step: step.id, code: answer.code, reason: answer.reason },
        now,
      );
      if (step.onRefused.action === 'compensate') {
        await this.transition(
          tx,
          key,
          step.id,
          'chain.compensation-required',
          {
            steps: step.onRefused.compensate,
          },
          now,
        );
      }
    });
  }

  /** Makes ready the waiting steps whose prerequisites are done; completes the chain when nothing is left. */
  private async release(tx: Queryable, chain: ChainDefinition, key: string, now: Date): Promise<void> {
    const steps = await tx.query<{ step_id: string; status: StepStatus }>(
      'SELECT step_id, status FROM chain_step WHERE parent_dossier_code = $1',
      [key],
    );
    const status = new Map(steps.map((s) => [s.step_id, s.status]));
    for (const step of chain.steps) {
      if (status.get(step.id) !== 'WAITING') continue;
      if (!prerequisites(step).every((id) => status.get(id) === 'DONE')) continue;
      await tx.query(
        `UPDATE chain_step SET status = 'READY', next_attempt_at = $3, due_at = $4, started_at = $3
          WHERE parent_dossier_code = $1 AND step_id = $2`,
        [key, step.id, now, dueAt(now, step.timeLimit) ?? null],
      );
      status.set(step.id, 'READY');
    }
    if ([...status.values()].every((s) => TERMINAL.has(s))) {
      await tx.query(
        `UPDATE chain_instance SET status = 'COMPLETED', updated_at = $2 WHERE parent_dossier_code = $1`,
        [key, now],
      );
      await this.transition(tx, key, null, 'chain.completed', {}, now);
    }
  }

  private async finishChain(
    tx: Queryable,
    key: string,
    status: 'STOPPED' | 'FAILED',
    reason: NonNullable<ChainView['stopReason']>,
    now: Date,
  ): Promise<void> {
    await tx.query(
      `UPDATE chain_step SET status = 'SKIPPED', next_attempt_at = NULL, finished_at = $2
        WHERE parent_dossier_code = $1 AND status IN ('WAITING', 'READY', 'SUBMITTED')`,
      [key, now],
    );
    await tx.query(
      'UPDATE chain_instance SET status = $2, stop_reason = $3, updated_at = $4 WHERE parent_dossier_code = $1',
      [key, status, JSON.stringify(reason), now],
    );
    await this.transition(
      tx,
      key,
      null,
      status === 'STOPPED' ? 'chain.stopped' : 'chain.failed',
      reason,
      now,
    );
  }

  /** Marks, once, each unfinished step past its time limit (an escalation for the operators). */
  private async markOverdue(now: Date): Promise<void> {
    await this.tx(async (tx) => {
      const late = await tx.query<{ parent_dossier_code: string; step_id: string; due_at: Date | string }>(
        `UPDATE chain_step SET overdue_at = $1
          WHERE due_at < $1 AND overdue_at IS NULL AND status IN ('READY', 'SUBMITTED')
          RETURNING parent_dossier_code, step_id, due_at`,
        [now],
      );
      for (const step of late) {
        await this.transition(
          tx,
          step.parent_dossier_code,
          step.step_id,
          'step.overdue',
          { dueAt: iso(step.due_at) },
          now,
        );
      }
    });
  }

  private async transition(
    tx: Queryable,
    key: string,
    stepId: string | null,
    kind: ChainEvent['kind'],
    detail: Record<string, unknown>,
    at: Date,
  ): Promise<void> {
    await tx.query(
      'INSERT INTO chain_transition (parent_dossier_code, step_id, kind, detail, at) VALUES ($1, $2, $3, $4, $5)',
      [key, stepId, kind, JSON.stringify(detail), at],
    );
    if (
      this.options.parentStatus &&
      (kind === 'chain.started' || kind === 'chain.completed' || kind === 'chain.stopped')
    ) {
      await this.options.parentStatus.write(tx, {
        parentDossierCode: key,
        kind,
        at,
        ...(typeof detail.reason === 'string' ? { reason: detail.reason } : {}),
      });
    }
    if (!this.options.events) return;
    const instance = await tx.queryOne<{ chain_code: string; agency_code: string; status: ChainStatus }>(
      'SELECT chain_code, agency_code, status FROM chain_instance WHERE parent_dossier_code = $1',
      [key],
    );
    if (!instance) return;
    const step = stepId ?? (typeof detail.step === 'string' ? detail.step : undefined);
    const refusal =
      typeof detail.code === 'string' && typeof detail.reason === 'string' && kind !== 'chain.failed'
        ? { code: detail.code, reason: detail.reason }
        : undefined;
    const error =
      typeof detail.error === 'string'
        ? detail.error
        : kind === 'chain.failed'
          ? String(detail.code)
          : undefined;
    await this.options.events.write(tx, {
      parentDossierCode: key,
      chainCode: instance.chain_code,
      agencyCode: instance.agency_code,
      kind,
      ...(step ? { step } : {}),
      chainStatus: instance.status,
      ...(Array.isArray(detail.produced) ? { produced: detail.produced as string[] } : {}),
      ...(refusal ? { refusal } : {}),
      ...(error ? { error } : {}),
      ...(typeof detail.dueAt === 'string' ? { dueAt: detail.dueAt } : {}),
      at: at.toISOString(),
    });
  }

  /** Where a chain stands, step by step; undefined when no chain was started for this dossier. */
  async view(parentDossierCode: string): Promise<ChainView | undefined> {
    const instance = await this.db.queryOne<InstanceRow>(
      'SELECT * FROM chain_instance WHERE parent_dossier_code = $1',
      [parentDossierCode],
    );
    if (!instance) return undefined;
    const chain = this.definitions.chains.get(instance.chain_code);
    const fields = json(instance.fields);
    const rows = await this.db.query<StepRow>(
      'SELECT * FROM chain_step WHERE parent_dossier_code = $1 ORDER BY position',
      [parentDossierCode],
    );
    return {
      parentDossierCode,
      chainCode: instance.chain_code,
      agencyCode: instance.agency_code,
      clientId: instance.client_id,
      status: instance.status,
      stopReason: instance.stop_reason === null ? null : json(instance.stop_reason),
      createdAt: iso(instance.created_at)!,
      updatedAt: iso(instance.updated_at)!,
      steps: rows.map((row) => {
        const step = chain?.steps.find((s) => s.id === row.step_id);
        return {
          id: row.step_id,
          name: step?.name ?? { vi: row.step_id, en: row.step_id },
          system: step?.system.slug ?? 'unknown',
          status: row.status,
          attempts: row.attempts,
          startedAt: row.status === 'WAITING' ? null : iso(row.started_at),
          finishedAt: iso(row.finished_at),
          dueAt: iso(row.due_at),
          overdue: row.overdue_at !== null,
          ...(row.status === 'DONE' && step
            ? {
                results: Object.fromEntries(
                  step.produces.filter((f) => f in fields).map((f) => [f, fields[f]]),
                ),
              }
            : {}),
          ...(row.status === 'REFUSED'
            ? { refusal: { code: row.refusal_code ?? '', reason: row.refusal_reason ?? '' } }
            : {}),
        };
      }),
    };
  }

  /** The chain's transitions in order (its history, and what the chain topics will carry). */
  async transitions(
    parentDossierCode: string,
  ): Promise<{ step: string | null; kind: string; detail: unknown; at: string }[]> {
    const rows = await this.db.query<{
      step_id: string | null;
      kind: string;
      detail: unknown;
      at: Date | string;
    }>('SELECT step_id, kind, detail, at FROM chain_transition WHERE parent_dossier_code = $1 ORDER BY id', [
      parentDossierCode,
    ]);
    return rows.map((r) => ({
      step: r.step_id,
      kind: r.kind,
      detail: json(r.detail as object),
      at: iso(r.at)!,
    }));
  }
}
