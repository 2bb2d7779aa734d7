import { ConfigError, ENV_VARS } from '@lienthong/config';
import { AUDIT_LOG_DEFAULTS } from './audit-log.service';
import { decodeSubjectKey } from './subject-hasher';

/**
 * The audit library's environment variables: their names, defaults and meaning are in the shared table of
 * libs/config (and so in the README's configuration reference). They are read and checked here, with the
 * same fail-fast rule: every problem listed at once, no value ever echoed.
 */
export const AUDIT_ENV_VARS = ENV_VARS.filter((variable) => variable.name.startsWith('AUDIT_'));

export interface AuditEnv {
  subjectKey: string;
  previousSubjectKeys: string[];
  signingKeyPath?: string;
  signingKeyPassphrase?: string;
  batchSize: number;
  flushIntervalMs: number;
  maxQueue: number;
  checkpointIntervalMs: number;
  retentionDays?: number;
}

function intOf(
  source: NodeJS.ProcessEnv,
  name: string,
  fallback: number | undefined,
  min: number,
  max: number,
  problems: string[],
): number | undefined {
  const raw = source[name]?.trim();
  if (!raw) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    problems.push(`${name} must be a whole number from ${min} to ${max}`);
    return fallback;
  }
  return Number(raw);
}

/**
 * Reads the audit settings. `requireKey: false` lets commands that do not hash subjects (verify, prune)
 * run without the key.
 */
export function loadAuditEnv(options: { source?: NodeJS.ProcessEnv; requireKey?: boolean } = {}): AuditEnv {
  const source = options.source ?? process.env;
  const problems: string[] = [];
  const subjectKey = source.AUDIT_SUBJECT_KEY?.trim() ?? '';
  if (!subjectKey) {
    if (options.requireKey !== false) {
      problems.push(
        'AUDIT_SUBJECT_KEY is required: the secret key that replaces looked-up identifiers in the audit log (at least 32 bytes, e.g. base64: followed by `openssl rand -base64 48`)',
      );
    }
  } else {
    try {
      decodeSubjectKey(subjectKey, 'AUDIT_SUBJECT_KEY');
    } catch (error) {
      problems.push((error as Error).message);
    }
  }
  const previousSubjectKeys = (source.AUDIT_SUBJECT_KEYS_PREVIOUS ?? '')
    .split(',')
    .map((key) => key.trim())
    .filter(Boolean);
  previousSubjectKeys.forEach((key, index) => {
    try {
      decodeSubjectKey(key, `AUDIT_SUBJECT_KEYS_PREVIOUS[${index}]`);
    } catch (error) {
      problems.push((error as Error).message);
    }
  });
  const batchSize = intOf(source, 'AUDIT_BATCH_SIZE', AUDIT_LOG_DEFAULTS.batchSize, 1, 5000, problems)!;
  const flushIntervalMs = intOf(
    source,
    'AUDIT_FLUSH_INTERVAL_MS',
    AUDIT_LOG_DEFAULTS.flushIntervalMs,
    0,
    60_000,
    problems,
  )!;
  const maxQueue = intOf(source, 'AUDIT_MAX_QUEUE', AUDIT_LOG_DEFAULTS.maxQueue, 5000, 10_000_000, problems)!;
  const checkpointIntervalMs = intOf(
    source,
    'AUDIT_CHECKPOINT_INTERVAL_MS',
    AUDIT_LOG_DEFAULTS.checkpointIntervalMs,
    100,
    3_600_000,
    problems,
  )!;
  const retentionDays = intOf(source, 'AUDIT_RETENTION_DAYS', undefined, 1, 36_500, problems);
  if (problems.length > 0) {
    throw new ConfigError(`invalid audit configuration:\n  - ${problems.join('\n  - ')}`);
  }
  const signingKeyPath = source.AUDIT_SIGNING_KEY_PATH?.trim() || undefined;
  const signingKeyPassphrase = source.AUDIT_SIGNING_KEY_PASSPHRASE || undefined;
  return {
    subjectKey,
    previousSubjectKeys,
    batchSize,
    flushIntervalMs,
    maxQueue,
    checkpointIntervalMs,
    ...(signingKeyPath ? { signingKeyPath } : {}),
    ...(signingKeyPassphrase ? { signingKeyPassphrase } : {}),
    ...(retentionDays !== undefined ? { retentionDays } : {}),
  };
}
