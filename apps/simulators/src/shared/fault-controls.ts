import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/**
 * Misbehaviour on demand for a Fastify-based simulator. Set in-process with `faults.set({...})` or over
 * HTTP with `POST /__admin/faults` (same JSON); `DELETE /__admin/faults` or `faults.clear()` removes them
 * all; `GET /__admin/faults` shows them. `set` merges: a field left out keeps its value, `null` clears it.
 * Admin routes (`/__admin/...`) are never affected.
 */
export interface FaultSettings {
  /** Delay before answering: fixed, or uniform in [min, max] (milliseconds). */
  latencyMs?: number | { min: number; max: number } | null;
  /** Fraction (0..1) of requests answered with HTTP 500 in the simulator's own error format. */
  errorRate?: number | null;
  /** Full outage: every request has its connection destroyed without an answer. */
  down?: boolean;
  /** Fraction (0..1) of successful answers whose body is cut short (unparseable JSON or XML). */
  malformedRate?: number | null;
  /** Answers are sent chunked, `chunkBytes` at a time with `intervalMs` between chunks. */
  slowDrip?: { chunkBytes: number; intervalMs: number } | null;
  /** Limit the faults to requests whose path starts with one of these prefixes (e.g. `/oauth2/token`). */
  paths?: string[] | null;
}

export interface FaultState {
  latencyMs: number | { min: number; max: number } | null;
  errorRate: number | null;
  down: boolean;
  malformedRate: number | null;
  slowDrip: { chunkBytes: number; intervalMs: number } | null;
  paths: string[] | null;
}

/** Raised for fault settings that do not make sense; the admin route answers 400. */
export class FaultSettingsError extends Error {
  override readonly name = 'FaultSettingsError';
}

const FAULT_KEYS = new Set(['latencyMs', 'errorRate', 'down', 'malformedRate', 'slowDrip', 'paths']);

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Parsers of the fault settings several simulators share. `fail` builds the simulator's own settings
 * error (its admin route answers 400 with the message).
 */
type Fail = (message: string) => Error;

/** `latencyMs`: null, a fixed delay, or uniform in {min, max}. */
export function parseLatency(value: unknown, fail: Fail): number | { min: number; max: number } | null {
  if (value === null) return null;
  if (typeof value === 'number' && value >= 0) return value;
  if (
    isObject(value) &&
    typeof value.min === 'number' &&
    typeof value.max === 'number' &&
    value.min >= 0 &&
    value.max >= value.min
  ) {
    return { min: value.min, max: value.max };
  }
  throw fail('latencyMs must be a non-negative number or {min, max} with min <= max');
}

function countOf(value: unknown, field: string, fail: Fail): number {
  if (!Number.isInteger(value) || (value as number) < 0) {
    throw fail(`${field}.count must be a non-negative integer`);
  }
  return value as number;
}

/** `{ count }` of a countdown fault (the next `count` requests misbehave), or null to clear it. */
export function parseCountdown(value: unknown, field: string, fail: Fail): { count: number } | null {
  if (value === null) return null;
  if (!isObject(value)) throw fail(`${field} must be an object`);
  return { count: countOf(value.count, field, fail) };
}

/** `rateLimit`: the next `count` requests get 429 with Retry-After (default 1 s). */
export function parseRateLimit(
  value: unknown,
  fail: Fail,
): { count: number; retryAfterSeconds: number } | null {
  if (value === null) return null;
  if (!isObject(value)) throw fail('rateLimit must be an object');
  const retry = value.retryAfterSeconds ?? 1;
  if (typeof retry !== 'number' || !(retry >= 0)) {
    throw fail('rateLimit.retryAfterSeconds must be a non-negative number');
  }
  return { count: countOf(value.count, 'rateLimit', fail), retryAfterSeconds: retry };
}

/** `serverErrors`: the next `count` requests get a 500, 502 or 503 (`defaultStatus` when not given). */
export function parseServerErrors(
  value: unknown,
  defaultStatus: 500 | 502 | 503,
  fail: Fail,
): { count: number; status: 500 | 502 | 503 } | null {
  if (value === null) return null;
  if (!isObject(value)) throw fail('serverErrors must be an object');
  const status = value.status ?? defaultStatus;
  if (status !== 500 && status !== 502 && status !== 503) {
    throw fail('serverErrors.status must be 500, 502 or 503');
  }
  return { count: countOf(value.count, 'serverErrors', fail), status };
}

function fraction(value: unknown, field: string): number | null {
  if (value === null) return null;
  if (typeof value !== 'number' || !(value >= 0 && value <= 1)) {
    throw new FaultSettingsError(`${field} must be a number between 0 and 1, or null`);
  }
  return value;
}

/** Checks settings received on the admin route (or in-process) and returns them typed. */
export function parseFaultSettings(body: unknown): FaultSettings {
  if (!isObject(body)) throw new FaultSettingsError('fault settings must be a JSON object');
  for (const key of Object.keys(body)) {
    if (!FAULT_KEYS.has(key)) throw new FaultSettingsError(`unknown fault "${key}"`);
  }
  const settings: FaultSettings = {};
  if (body.down !== undefined) {
    if (typeof body.down !== 'boolean') throw new FaultSettingsError('down must be a boolean');
    settings.down = body.down;
  }
  if (body.errorRate !== undefined) settings.errorRate = fraction(body.errorRate, 'errorRate');
  if (body.malformedRate !== undefined)
    settings.malformedRate = fraction(body.malformedRate, 'malformedRate');
  if (body.latencyMs !== undefined) {
    settings.latencyMs = parseLatency(body.latencyMs, (message) => new FaultSettingsError(message));
  }
  if (body.slowDrip !== undefined) {
    const drip = body.slowDrip;
    if (drip === null) settings.slowDrip = null;
    else if (
      isObject(drip) &&
      Number.isInteger(drip.chunkBytes) &&
      (drip.chunkBytes as number) > 0 &&
      typeof drip.intervalMs === 'number' &&
      drip.intervalMs >= 0
    ) {
      settings.slowDrip = { chunkBytes: drip.chunkBytes as number, intervalMs: drip.intervalMs };
    } else {
      throw new FaultSettingsError('slowDrip must be {chunkBytes > 0, intervalMs >= 0}');
    }
  }
  if (body.paths !== undefined) {
    const paths = body.paths;
    if (paths === null) settings.paths = null;
    else if (!Array.isArray(paths) || paths.some((p) => typeof p !== 'string' || !p.startsWith('/'))) {
      throw new FaultSettingsError('paths must be an array of path prefixes starting with /');
    } else settings.paths = [...(paths as string[])];
  }
  return settings;
}

export class FaultControls {
  private latency: FaultState['latencyMs'] = null;
  private errorRate: number | null = null;
  private down = false;
  private malformedRate: number | null = null;
  private slowDrip: FaultState['slowDrip'] = null;
  private paths: string[] | null = null;
  private readonly downListeners: (() => void)[] = [];

  /** `random` decides which requests fail; tests may pass a fixed sequence. */
  constructor(private readonly random: () => number = Math.random) {}

  /** Applies settings (merged over the current ones) and returns the resulting state. */
  set(settings: FaultSettings): FaultState {
    const checked = parseFaultSettings(settings);
    if (checked.latencyMs !== undefined) this.latency = checked.latencyMs;
    if (checked.errorRate !== undefined) this.errorRate = checked.errorRate;
    if (checked.malformedRate !== undefined) this.malformedRate = checked.malformedRate;
    if (checked.slowDrip !== undefined) this.slowDrip = checked.slowDrip;
    if (checked.paths !== undefined) this.paths = checked.paths;
    if (checked.down !== undefined) {
      const wasDown = this.down;
      this.down = checked.down;
      if (this.down && !wasDown) for (const listener of this.downListeners) listener();
    }
    return this.state();
  }

  clear(): void {
    this.latency = null;
    this.errorRate = null;
    this.down = false;
    this.malformedRate = null;
    this.slowDrip = null;
    this.paths = null;
  }

  state(): FaultState {
    return {
      latencyMs: isObject(this.latency) ? { ...this.latency } : this.latency,
      errorRate: this.errorRate,
      down: this.down,
      malformedRate: this.malformedRate,
      slowDrip: this.slowDrip && { ...this.slowDrip },
      paths: this.paths && [...this.paths],
    };
  }

  /** Called when an outage starts (the plugin drops idle keep-alive connections). */
  onDown(listener: () => void): void {
    this.downListeners.push(listener);
  }

  // --- consumed by the plugin ----------------------------------------------------------------------

  appliesTo(path: string): boolean {
    if (path.startsWith('/__admin')) return false;
    return this.paths === null || this.paths.some((prefix) => path.startsWith(prefix));
  }

  get isDown(): boolean {
    return this.down;
  }

  delayMs(): number {
    const latency = this.latency;
    if (latency === null) return 0;
    if (typeof latency === 'number') return latency;
    return latency.min + this.random() * (latency.max - latency.min);
  }

  takeError(): boolean {
    return this.errorRate !== null && this.errorRate > 0 && this.random() < this.errorRate;
  }

  takeMalformed(): boolean {
    return this.malformedRate !== null && this.malformedRate > 0 && this.random() < this.malformedRate;
  }

  get drip(): FaultState['slowDrip'] {
    return this.slowDrip;
  }
}

/** A request id taken from the caller when it is well-formed, generated otherwise. */
export function requestIdGenerator(
  prefix: string,
): (request: { headers: Record<string, unknown> }) => string {
  let sequence = 0;
  return (request) => {
    const given = request.headers['x-request-id'];
    if (typeof given === 'string' && /^[A-Za-z0-9._:-]{1,128}$/.test(given)) return given;
    return `${prefix}-${Date.now().toString(36)}-${(++sequence).toString(36)}`;
  };
}

export interface FaultPluginOptions {
  /** The simulator's own HTTP 500 answer (JSON problem, XML error document, ...). */
  serverError: (request: FastifyRequest) => { contentType: string; body: string };
}

const affected = new WeakSet<FastifyRequest>();

function pathOf(request: FastifyRequest): string {
  const url = request.raw.url ?? '/';
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function dripStream(payload: Buffer, chunkBytes: number, intervalMs: number): Readable {
  let offset = 0;
  return new Readable({
    read() {
      if (offset >= payload.length) {
        this.push(null);
        return;
      }
      const chunk = payload.subarray(offset, offset + chunkBytes);
      offset += chunkBytes;
      const first = offset === chunkBytes;
      if (first) this.push(chunk);
      else setTimeout(() => this.push(chunk), intervalMs);
    },
  });
}

/**
 * Registers the fault hooks and the `/__admin/faults` routes on a Fastify instance. Register before
 * the simulator's own routes.
 */
export function installFaultControls(
  app: FastifyInstance,
  faults: FaultControls,
  options: FaultPluginOptions,
): void {
  faults.onDown(() => app.server.closeIdleConnections?.());

  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    if (!faults.appliesTo(pathOf(request))) return;
    affected.add(request);
    if (faults.isDown) {
      reply.hijack();
      request.raw.socket.destroy();
      return reply;
    }
    const delay = faults.delayMs();
    if (delay > 0) await sleep(delay);
    if (faults.takeError()) {
      const error = options.serverError(request);
      return reply.code(500).header('content-type', error.contentType).send(error.body);
    }
    return undefined;
  });

  app.addHook('onSend', async (request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    if (!affected.has(request) || reply.statusCode >= 500) return payload;
    if (typeof payload !== 'string' && !Buffer.isBuffer(payload)) return payload;
    const drip = faults.drip;
    const truncate = reply.statusCode < 400 && faults.takeMalformed();
    if (!drip && !truncate) return payload;
    let body = Buffer.isBuffer(payload) ? payload : Buffer.from(payload, 'utf8');
    if (truncate) body = body.subarray(0, Math.max(1, Math.floor(body.length * 0.6)));
    if (!drip) return body;
    reply.removeHeader('content-length');
    return dripStream(body, drip.chunkBytes, drip.intervalMs);
  });

  app.get('/__admin/faults', async () => faults.state());
  app.post('/__admin/faults', async (request, reply) => {
    try {
      return faults.set(request.body as FaultSettings);
    } catch (error) {
      if (error instanceof FaultSettingsError) {
        return reply.code(400).send({ error: 'invalid_faults', message: error.message });
      }
      throw error;
    }
  });
  app.delete('/__admin/faults', async (_request, reply) => {
    faults.clear();
    return reply.code(204).send();
  });
}
