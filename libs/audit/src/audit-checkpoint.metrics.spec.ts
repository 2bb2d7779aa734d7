/**
 * lgsp_audit_checkpoint_age_seconds and lgsp_audit_unchecked_records read from a real audit chain (PGlite).
 */
import { generateKeyPairSync } from 'node:crypto';
import { register } from 'prom-client';
import { AuditLog } from './audit-log.service';
import { registerAuditCheckpointMetrics } from './audit-checkpoint.metrics';
import { AuditSigner } from './audit-signer';
import { EXAMPLE_SUBJECT_KEY, RecordingPublisher, lookupEntry } from './testing/audit-fixtures';
import { auditTestDrivers, silentLogger, type AuditTestDb } from './testing/audit-test-db';

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKeyPem = rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

async function gaugeValue(name: string): Promise<number | undefined> {
  const metric = register.getSingleMetric(name);
  const { values } = await metric!.get();
  return values[0]?.value;
}

describe('audit checkpoint metrics', () => {
  const [, harness] = auditTestDrivers()[0];
  let t: AuditTestDb;
  let log: AuditLog;

  beforeAll(() => harness.setup());
  afterAll(() => harness.teardown());
  beforeEach(async () => {
    t = await harness.open();
  });
  afterEach(async () => {
    await log.close();
    await t.dispose();
  });

  it('counts the records no checkpoint covers, then the age of the checkpoint that covers them', async () => {
    let clock = new Date('2026-03-01T08:00:00Z');
    registerAuditCheckpointMetrics(t.db, () => clock);
    log = new AuditLog(t.db, new RecordingPublisher(), {
      subjectKey: EXAMPLE_SUBJECT_KEY,
      logger: silentLogger,
      signer: AuditSigner.fromPem(signingKeyPem),
      checkpointIntervalMs: 3_600_000,
      now: () => clock,
    });
    expect(await gaugeValue('lgsp_audit_unchecked_records')).toBe(0);
    expect(await gaugeValue('lgsp_audit_checkpoint_age_seconds')).toBe(0);

    for (let index = 0; index < 3; index++) void log.record(lookupEntry(index));
    await log.flush();
    clock = new Date(clock.getTime() + 90_000);
    expect(await gaugeValue('lgsp_audit_unchecked_records')).toBe(3);
    // no checkpoint yet: how long the oldest record has waited for one
    expect(await gaugeValue('lgsp_audit_checkpoint_age_seconds')).toBe(90);

    await log.checkpoint();
    clock = new Date(clock.getTime() + 420_000);
    expect(await gaugeValue('lgsp_audit_unchecked_records')).toBe(0);
    expect(await gaugeValue('lgsp_audit_checkpoint_age_seconds')).toBe(420);

    void log.record(lookupEntry(7));
    await log.flush();
    expect(await gaugeValue('lgsp_audit_unchecked_records')).toBe(1);
    expect(await gaugeValue('lgsp_audit_checkpoint_age_seconds')).toBe(420);
  });
});
