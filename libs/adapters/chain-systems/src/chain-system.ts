import type { Dispatcher } from 'undici';
import {
  AdapterCalls,
  UpstreamError,
  UpstreamErrors,
  type UpstreamErrorDetails,
  type UpstreamErrorKind,
  AdapterHealth,
  DEFAULT_RESILIENCE,
  invalidRequestMessage,
  parseJsonObject,
  RawAnswer,
  retryAfterMs,
  upstreamPool,
  type ResilienceOptions,
  type UpstreamClientOptions,
} from '@lienthong/adapters/common';

/**
 * The agency systems the procedure chains call (deploy/config/chains.yaml `systems`): one client per
 * interface, one error family for all of them, and one shape of answer for every step.
 */

/** A step sent to an agency system: the chain's field values it needs, under the chain's own field names. */
export interface ChainStepRequest {
  /**
   * Identifies the step of one application at the agency system (its idempotency key: the same id with the
   * same content is answered the stored result again). 1–64 of `A-Za-z0-9._:-`.
   */
  transactionId: string;
  /** The step's id in chains.yaml: which of the interface's operations it is (CHAIN_OPERATIONS). */
  operation: string;
  /** `child.fullName`, `mother.personalId`, ... as chains.yaml names them; dates `YYYY-MM-DD`. */
  fields: Readonly<Record<string, string>>;
}

/** What the agency system decided, or that it is still deciding (asynchronous systems). */
export type ChainStepAnswer =
  | { state: 'done'; produces: Record<string, string>; reference?: string }
  /** A refusal is an answer, not an error: `reason` is written for the citizen. */
  | { state: 'refused'; code: string; reason: string; reference?: string }
  /** Accepted, not decided yet: ask again with `check(reference)` after `retryAfterMs`. */
  | { state: 'pending'; reference: string; retryAfterMs: number };

export interface ChainCallContext {
  /** X-Request-Id of the call (1–128 of `A-Za-z0-9._:-`). */
  requestId: string;
}

export interface ChainSystemClient {
  /** The interface name chains.yaml gives the system (`civil-status-v1`, ...). */
  readonly interface: string;
  /** The step ids this client performs. */
  readonly operations: readonly string[];
  submit(request: ChainStepRequest, ctx: ChainCallContext): Promise<ChainStepAnswer>;
  /** The decision on an accepted request (asynchronous systems; the others answer `submit` at once). */
  check(reference: string, ctx: ChainCallContext): Promise<ChainStepAnswer>;
  health(): AdapterHealth;
  close(): Promise<void>;
}

/**
 * The chain systems' codes in the shared upstream error family, the same for every system (the `adapter`
 * label tells them apart). The orchestrator switches on `kind`: retry later, or give up on the step.
 */
const CHAIN_SYSTEM_ERROR_CODES = {
  /** The request cannot be sent as it is (a field missing or malformed), or the system refused its form. */
  CHAIN_SYSTEM_INVALID_REQUEST: 'INVALID_REQUEST',
  /** The system refused the gateway's credentials or signature. */
  CHAIN_SYSTEM_AUTHENTICATION: 'AUTHENTICATION',
  /** The transaction id was used before with other content. */
  CHAIN_SYSTEM_CONFLICT: 'CONFLICT',
  /** The reference asked about is unknown to the system. */
  CHAIN_SYSTEM_NOT_FOUND: 'NOT_FOUND',
  /** Down, overloaded, circuit open, or an answer the contract does not define: try again later. */
  CHAIN_SYSTEM_UNAVAILABLE: 'UNAVAILABLE',
  CHAIN_SYSTEM_TIMEOUT: 'TIMEOUT',
  CHAIN_SYSTEM_MALFORMED_RESPONSE: 'MALFORMED_RESPONSE',
} as const satisfies Record<string, UpstreamErrorKind>;

export type ChainSystemErrorCode = keyof typeof CHAIN_SYSTEM_ERROR_CODES;
type ChainSystemErrorKind = (typeof CHAIN_SYSTEM_ERROR_CODES)[ChainSystemErrorCode];

/** An error of a chain system's client. */
export type ChainSystemError = UpstreamError<ChainSystemErrorCode>;

/** The errors of one chain system: `adapter` is its metrics label (civil-status, residence, ...). */
export function chainSystemErrors(adapter: string, upstream: string): UpstreamErrors<ChainSystemErrorCode> {
  return new UpstreamErrors({ adapter, upstream, codes: CHAIN_SYSTEM_ERROR_CODES });
}

export const TRANSACTION_ID = /^[A-Za-z0-9._:-]{1,64}$/;

export interface ChainSystemClientOptions extends UpstreamClientOptions {
  /** Base URL of the system (scheme, host, port and an optional path prefix). */
  url: string;
}

/** The transport every chain-system client shares: connection pool, resilience policy, metrics, errors. */
export class ChainSystemTransport {
  readonly calls: AdapterCalls<ChainSystemError>;
  readonly errors: UpstreamErrors<ChainSystemErrorCode>;
  private readonly origin: string;
  readonly basePath: string;
  private readonly dispatcher: Dispatcher;
  private readonly ownsDispatcher: boolean;

  constructor(
    readonly adapter: string,
    readonly upstream: string,
    options: ChainSystemClientOptions,
  ) {
    const url = new URL(options.url);
    this.origin = url.origin;
    this.basePath = url.pathname.replace(/\/+$/, '');
    const resilience: ResilienceOptions = { ...DEFAULT_RESILIENCE, timeoutMs: 5_000, ...options.resilience };
    this.ownsDispatcher = !options.dispatcher;
    this.dispatcher =
      options.dispatcher ??
      upstreamPool(this.origin, {
        connections: options.connections ?? 16,
        connect: options.ca ? { ca: options.ca } : undefined,
        maxResponseBytes: 1024 * 1024,
        connectTimeoutMs: resilience.timeoutMs,
      });
    this.errors = chainSystemErrors(adapter, upstream);
    this.calls = new AdapterCalls<ChainSystemError>({
      adapter,
      upstream,
      title: adapter,
      resilience,
      logger: options.logger,
      errors: this.errors.kit(),
    });
  }

  /** An error of this kind with the chain systems' code for it. */
  error(kind: ChainSystemErrorKind, message: string, details: UpstreamErrorDetails = {}): ChainSystemError {
    return this.errors.ofKind(kind, message, details);
  }

  /** One HTTP exchange inside an attempt. */
  send(
    signal: AbortSignal,
    request: { method: 'GET' | 'POST'; path: string; headers: Record<string, string>; body?: string },
  ): Promise<RawAnswer> {
    return this.calls.exchange(signal, async () => {
      const response = await this.dispatcher.request({ origin: this.origin, ...request, signal });
      const body = await response.body.text();
      return { status: response.statusCode, headers: response.headers, body };
    });
  }

  /**
   * The error an answer outside the contract's success means: 400 invalid, 401/403 authentication, 404 not
   * found, 409 conflict, anything else unavailable (retried).
   */
  failure(answer: RawAnswer, upstreamCode: string | undefined): ChainSystemError {
    const { status } = answer;
    const what = `the ${this.upstream} answered HTTP ${status}${upstreamCode ? ` (${upstreamCode})` : ''}`;
    if (status === 400 || status === 415)
      return this.error('INVALID_REQUEST', what, { status, upstreamCode });
    if (status === 401 || status === 403) return this.error('AUTHENTICATION', what, { status, upstreamCode });
    if (status === 404) return this.error('NOT_FOUND', what, { status, upstreamCode });
    if (status === 409) return this.error('CONFLICT', what, { status, upstreamCode });
    const retryAfter = retryAfterMs(answer);
    return this.error('UNAVAILABLE', what, {
      status,
      upstreamCode,
      reason: 'HTTP_STATUS',
      ...(retryAfter !== undefined ? { retryAfterMs: retryAfter } : {}),
    });
  }

  health(): AdapterHealth {
    return this.calls.health();
  }

  async close(): Promise<void> {
    if (this.ownsDispatcher) await this.dispatcher.close();
  }
}

/** A field the step must have, or the adapter's invalid-request error naming it. */
export function need(transport: ChainSystemTransport, request: ChainStepRequest, field: string): string {
  const value = request.fields?.[field];
  if (typeof value !== 'string' || value.trim() === '') {
    throw transport.error('INVALID_REQUEST', invalidRequestMessage(field, 'adapter'), { field });
  }
  return value.trim();
}

/** An optional field: its trimmed value, or undefined. */
export function optional(request: ChainStepRequest, field: string): string | undefined {
  const value = request.fields?.[field];
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

/** `MALE`/`FEMALE` (the domain's values) or the systems' own `NAM`/`NU`, as `NAM`/`NU`. */
export function sexCode(transport: ChainSystemTransport, value: string, field: string): 'NAM' | 'NU' {
  const upper = value.toUpperCase();
  if (upper === 'MALE' || upper === 'NAM') return 'NAM';
  if (upper === 'FEMALE' || upper === 'NU') return 'NU';
  throw transport.error('INVALID_REQUEST', invalidRequestMessage(field, 'adapter'), { field });
}

/** The transaction id, checked before anything is sent. */
export function transactionIdOf(transport: ChainSystemTransport, request: ChainStepRequest): string {
  if (typeof request?.transactionId !== 'string' || !TRANSACTION_ID.test(request.transactionId)) {
    throw transport.error('INVALID_REQUEST', invalidRequestMessage('transactionId', 'adapter'), {
      field: 'transactionId',
    });
  }
  return request.transactionId;
}

/** A JSON answer as an object, or the malformed-response error. */
export function jsonAnswer(transport: ChainSystemTransport, answer: RawAnswer): Record<string, unknown> {
  const parsed = parseJsonObject(answer.body);
  if (!parsed)
    throw transport.error('MALFORMED_RESPONSE', `the ${transport.upstream} answered something not JSON`);
  return parsed;
}
