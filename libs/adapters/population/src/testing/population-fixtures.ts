import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PopulationOperation } from '../population.wire';

/**
 * Wire samples recorded from the population simulator (test-fixtures/record-fixtures.ts), for the unit
 * specs: the answer bodies, what request produced each, and the certificate that signed them.
 */
export interface RecordedSample {
  file: string;
  operation: PopulationOperation;
  requestId: string;
  personalId: string;
  claims?: { fullName?: string; dateOfBirth?: string };
  status: number;
  description: string;
  body: string;
}

export const FIXTURE_DIR = join(__dirname, '..', '..', 'test-fixtures');

let cache: Map<string, RecordedSample> | undefined;

export function recordedSample(file: string): RecordedSample {
  if (!cache) {
    const entries = JSON.parse(readFileSync(join(FIXTURE_DIR, 'fixtures.json'), 'utf8')) as Omit<
      RecordedSample,
      'body'
    >[];
    cache = new Map(
      entries.map((entry) => [
        entry.file,
        { ...entry, body: readFileSync(join(FIXTURE_DIR, entry.file), 'utf8') },
      ]),
    );
  }
  const sample = cache.get(file);
  if (!sample) throw new Error(`no recorded sample ${file}`);
  return sample;
}

/** The certificate the recorded answers are signed with (the one to pin). */
export function recordedSignerCertificate(): string {
  return readFileSync(join(FIXTURE_DIR, 'population-signer.crt'), 'utf8');
}
