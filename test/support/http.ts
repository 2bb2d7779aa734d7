/** Small helpers shared by the end-to-end suites. */
import { EXAMPLE_SUBJECT_KEY } from '../../libs/audit/src/testing/audit-fixtures';

/** The audit subject key of the apps under test (never used outside tests). */
export const TEST_AUDIT_SUBJECT_KEY = EXAMPLE_SUBJECT_KEY;

/** The relay's ministry pseudonym key under test (never used outside tests). */
export const TEST_MINISTRY_PSEUDONYM_KEY = `hex:${'5a'.repeat(32)}`;

export async function waitFor<T>(
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs: number,
  what: string,
  intervalMs = 200,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value as T;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${(lastError as Error).message}` : ''}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

export async function getJson(
  url: string,
  init?: RequestInit,
): Promise<{ status: number; body: any; headers: Headers }> {
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(10_000) });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: response.status, body, headers: response.headers };
}

/** The environment for an app under test: the suite's broker and database, ports chosen by the OS. */
export function testEnv(overrides: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    KAFKA_BROKERS: process.env.KAFKA_BROKERS,
    DATABASE_URL: process.env.TEST_DATABASE_URL,
    PORT: '0',
    RELAY_PORT: '0',
    SIMULATORS_PORT: '0',
    LOG_LEVEL: 'silent',
    KAFKA_HEALTH_TIMEOUT_MS: '1500',
    // The gateway requires a subject key for its lookup audit log; a fixed test key.
    AUDIT_SUBJECT_KEY: TEST_AUDIT_SUBJECT_KEY,
    // The relay requires the key of the ministry copies' applicant pseudonyms; a fixed test key.
    MINISTRY_PSEUDONYM_KEY: TEST_MINISTRY_PSEUDONYM_KEY,
    // No periodic catalogue sync: it would be one more portal caller, consuming the faults a suite sets.
    CATALOGUE_SYNC_INTERVAL_MS: '0',
    // Child processes append their log lines to the run's capture file too (see test/setup).
    ...(process.env.LGSP_LOG_CAPTURE_FILE
      ? { LGSP_LOG_CAPTURE_FILE: process.env.LGSP_LOG_CAPTURE_FILE }
      : {}),
    ...overrides,
  };
}
