import { isObject, parseRateLimit, parseServerErrors } from '../shared/fault-controls';

/**
 * Scripted failures of the report endpoint: the next N submissions fail in a given way, whatever they carry.
 * Deterministic where the shared fault controls (apps/simulators/src/shared/fault-controls.ts) are
 * probabilistic, so a test can say "three 503s, then answer". Set in-process with `failures.set({...})` or
 * with `POST /__admin/failures` (same JSON, merged; null clears one).
 */
export interface ScriptedFailureSettings {
  /** The next `count` submissions get HTTP `status` (default 503). */
  serverErrors?: { count: number; status?: 500 | 502 | 503 } | null;
  /** The next `count` submissions get HTTP 429 with `Retry-After: retryAfterSeconds` (default 1). */
  rateLimit?: { count: number; retryAfterSeconds?: number } | null;
}

export interface ScriptedFailureState {
  serverErrors: { remaining: number; status: 500 | 502 | 503 } | null;
  rateLimit: { remaining: number; retryAfterSeconds: number } | null;
}

/** Raised for settings that do not make sense; the admin route answers 400. */
export class ScriptedFailureSettingsError extends Error {
  override readonly name = 'ScriptedFailureSettingsError';
}

const fail = (message: string) => new ScriptedFailureSettingsError(message);

/** Checks JSON received on the admin route and returns it typed. */
export function parseScriptedFailures(body: unknown): ScriptedFailureSettings {
  if (!isObject(body)) throw new ScriptedFailureSettingsError('scripted failures must be a JSON object');
  for (const key of Object.keys(body)) {
    if (key !== 'serverErrors' && key !== 'rateLimit') {
      throw new ScriptedFailureSettingsError(`unknown scripted failure "${key}"`);
    }
  }
  const settings: ScriptedFailureSettings = {};
  if (body.serverErrors !== undefined)
    settings.serverErrors = parseServerErrors(body.serverErrors, 503, fail);
  if (body.rateLimit !== undefined) settings.rateLimit = parseRateLimit(body.rateLimit, fail);
  return settings;
}

export class ScriptedFailures {
  private serverErrors: ScriptedFailureState['serverErrors'] = null;
  private rateLimit: ScriptedFailureState['rateLimit'] = null;

  /** Applies settings (merged over the current ones) and returns the resulting state. */
  set(settings: ScriptedFailureSettings): ScriptedFailureState {
    const checked = parseScriptedFailures(settings);
    if (checked.serverErrors !== undefined) {
      this.serverErrors = checked.serverErrors && {
        remaining: checked.serverErrors.count,
        status: checked.serverErrors.status ?? 503,
      };
    }
    if (checked.rateLimit !== undefined) {
      this.rateLimit = checked.rateLimit && {
        remaining: checked.rateLimit.count,
        retryAfterSeconds: checked.rateLimit.retryAfterSeconds ?? 1,
      };
    }
    return this.state();
  }

  clear(): void {
    this.serverErrors = null;
    this.rateLimit = null;
  }

  state(): ScriptedFailureState {
    return {
      serverErrors: this.serverErrors && { ...this.serverErrors },
      rateLimit: this.rateLimit && { ...this.rateLimit },
    };
  }

  /** Retry-After seconds when this submission is to be rate limited. */
  takeRateLimit(): number | undefined {
    if (!this.rateLimit || this.rateLimit.remaining <= 0) return undefined;
    this.rateLimit.remaining -= 1;
    return this.rateLimit.retryAfterSeconds;
  }

  /** HTTP status when this submission is to fail with a server error. */
  takeServerError(): 500 | 502 | 503 | undefined {
    if (!this.serverErrors || this.serverErrors.remaining <= 0) return undefined;
    this.serverErrors.remaining -= 1;
    return this.serverErrors.status;
  }
}
