import {
  isObject,
  parseCountdown,
  parseLatency,
  parseRateLimit,
  parseServerErrors,
} from '../shared/fault-controls';

/**
 * Misbehaviour on demand. Set in-process with `faults.set({...})` or over HTTP with
 * `POST /__admin/faults` (same JSON); `DELETE /__admin/faults` or `faults.clear()` removes them all.
 * `set` merges: a field left out keeps its current value, `null` clears it.
 */
export interface PortalFaultSettings {
  /** Invalidate every session now (an action, not a lasting state). */
  expireSessions?: boolean;
  /** The next `count` service calls get HTTP 429 with `Retry-After: retryAfterSeconds` (default 1). */
  rateLimit?: { count: number; retryAfterSeconds?: number } | null;
  /** The next `count` service calls get HTTP `status` (default 500). */
  serverErrors?: { count: number; status?: 500 | 502 | 503 } | null;
  /** The next `count` service calls get HTTP 200 with a truncated, unparseable JSON body. */
  malformedResponses?: { count: number } | null;
  /** Delay before answering any portal request (admin routes excepted): fixed, or uniform in [min, max]. */
  latencyMs?: number | { min: number; max: number } | null;
  /** Every portal request (admin routes excepted) has its connection destroyed without an answer. */
  down?: boolean;
  /** Items for these dossier codes are refused with INVALID_DATA (permanent) until the list is cleared. */
  rejectDossiers?: string[] | null;
  /** LayThuTuc for these procedure codes answers error_code -1 (a catalogue sync failing part-way) until cleared. */
  failProcedures?: string[] | null;
}

export interface PortalFaultState {
  rateLimit: { remaining: number; retryAfterSeconds: number } | null;
  serverErrors: { remaining: number; status: 500 | 502 | 503 } | null;
  malformedResponses: { remaining: number } | null;
  latencyMs: number | { min: number; max: number } | null;
  down: boolean;
  rejectDossiers: string[];
  failProcedures: string[];
}

/** Raised for fault settings that do not make sense; the admin route answers 400. */
export class PortalFaultSettingsError extends Error {
  override readonly name = 'PortalFaultSettingsError';
}

const FAULT_KEYS = new Set([
  'expireSessions',
  'rateLimit',
  'serverErrors',
  'malformedResponses',
  'latencyMs',
  'down',
  'rejectDossiers',
  'failProcedures',
]);

const fail = (message: string) => new PortalFaultSettingsError(message);

/** Checks JSON received on the admin route and returns it typed. */
export function parseFaultSettings(body: unknown): PortalFaultSettings {
  if (!isObject(body)) throw new PortalFaultSettingsError('fault settings must be a JSON object');
  for (const key of Object.keys(body)) {
    if (!FAULT_KEYS.has(key)) throw new PortalFaultSettingsError(`unknown fault "${key}"`);
  }
  const settings: PortalFaultSettings = {};
  if (body.expireSessions !== undefined) {
    if (typeof body.expireSessions !== 'boolean')
      throw new PortalFaultSettingsError('expireSessions must be a boolean');
    settings.expireSessions = body.expireSessions;
  }
  if (body.down !== undefined) {
    if (typeof body.down !== 'boolean') throw new PortalFaultSettingsError('down must be a boolean');
    settings.down = body.down;
  }
  if (body.rateLimit !== undefined) settings.rateLimit = parseRateLimit(body.rateLimit, fail);
  if (body.serverErrors !== undefined)
    settings.serverErrors = parseServerErrors(body.serverErrors, 500, fail);
  if (body.malformedResponses !== undefined) {
    settings.malformedResponses = parseCountdown(body.malformedResponses, 'malformedResponses', fail);
  }
  if (body.latencyMs !== undefined) settings.latencyMs = parseLatency(body.latencyMs, fail);
  if (body.rejectDossiers !== undefined) {
    const list = body.rejectDossiers;
    if (list === null) settings.rejectDossiers = null;
    else if (!Array.isArray(list) || list.some((code) => typeof code !== 'string')) {
      throw new PortalFaultSettingsError('rejectDossiers must be an array of dossier codes');
    } else settings.rejectDossiers = list as string[];
  }
  if (body.failProcedures !== undefined) {
    const list = body.failProcedures;
    if (list === null) settings.failProcedures = null;
    else if (!Array.isArray(list) || list.some((code) => typeof code !== 'string')) {
      throw new PortalFaultSettingsError('failProcedures must be an array of procedure codes');
    } else settings.failProcedures = list as string[];
  }
  return settings;
}

export class PortalFaults {
  private rateLimit: PortalFaultState['rateLimit'] = null;
  private serverErrors: PortalFaultState['serverErrors'] = null;
  private malformed: PortalFaultState['malformedResponses'] = null;
  private latency: PortalFaultState['latencyMs'] = null;
  private down = false;
  private rejected = new Set<string>();
  private failing = new Set<string>();

  /** `expireSessions` invalidates every session through this callback. */
  constructor(private readonly expireAllSessions: () => void) {}

  /** Applies settings (merged over the current ones) and returns the resulting state. */
  set(settings: PortalFaultSettings): PortalFaultState {
    const checked = parseFaultSettings(settings);
    if (checked.expireSessions) this.expireAllSessions();
    if (checked.down !== undefined) this.down = checked.down;
    if (checked.rateLimit !== undefined) {
      this.rateLimit = checked.rateLimit && {
        remaining: checked.rateLimit.count,
        retryAfterSeconds: checked.rateLimit.retryAfterSeconds ?? 1,
      };
    }
    if (checked.serverErrors !== undefined) {
      this.serverErrors = checked.serverErrors && {
        remaining: checked.serverErrors.count,
        status: checked.serverErrors.status ?? 500,
      };
    }
    if (checked.malformedResponses !== undefined) {
      this.malformed = checked.malformedResponses && { remaining: checked.malformedResponses.count };
    }
    if (checked.latencyMs !== undefined) this.latency = checked.latencyMs;
    if (checked.rejectDossiers !== undefined) this.rejected = new Set(checked.rejectDossiers ?? []);
    if (checked.failProcedures !== undefined) this.failing = new Set(checked.failProcedures ?? []);
    return this.state();
  }

  /** Removes every fault (sessions stay as they are). */
  clear(): void {
    this.rateLimit = null;
    this.serverErrors = null;
    this.malformed = null;
    this.latency = null;
    this.down = false;
    this.rejected = new Set();
    this.failing = new Set();
  }

  state(): PortalFaultState {
    return {
      rateLimit: this.rateLimit && { ...this.rateLimit },
      serverErrors: this.serverErrors && { ...this.serverErrors },
      malformedResponses: this.malformed && { ...this.malformed },
      latencyMs: typeof this.latency === 'object' && this.latency ? { ...this.latency } : this.latency,
      down: this.down,
      rejectDossiers: [...this.rejected],
      failProcedures: [...this.failing],
    };
  }

  // --- consumed by the simulator --------------------------------------------------------------------

  get isDown(): boolean {
    return this.down;
  }

  delayMs(): number {
    const latency = this.latency;
    if (latency === null) return 0;
    if (typeof latency === 'number') return latency;
    return latency.min + Math.random() * (latency.max - latency.min);
  }

  /** Retry-After seconds when this call is to be rate limited. */
  takeRateLimit(): number | undefined {
    if (!this.rateLimit || this.rateLimit.remaining <= 0) return undefined;
    this.rateLimit.remaining -= 1;
    return this.rateLimit.retryAfterSeconds;
  }

  /** HTTP status when this call is to fail with a server error. */
  takeServerError(): 500 | 502 | 503 | undefined {
    if (!this.serverErrors || this.serverErrors.remaining <= 0) return undefined;
    this.serverErrors.remaining -= 1;
    return this.serverErrors.status;
  }

  takeMalformed(): boolean {
    if (!this.malformed || this.malformed.remaining <= 0) return false;
    this.malformed.remaining -= 1;
    return true;
  }

  isFailingProcedure(procedureCode: string): boolean {
    return this.failing.has(procedureCode);
  }

  isRejected(dossierCode: string): boolean {
    return this.rejected.has(dossierCode);
  }
}
