import { ConfigError } from '@lienthong/config';
import { loadAuditEnv } from './audit-config';

const key = 'base64:' + Buffer.alloc(48, 1).toString('base64');

describe('loadAuditEnv', () => {
  it('reads the key and applies defaults', () => {
    expect(loadAuditEnv({ source: { AUDIT_SUBJECT_KEY: key } })).toEqual({
      subjectKey: key,
      previousSubjectKeys: [],
      batchSize: 1000,
      flushIntervalMs: 50,
      maxQueue: 100_000,
      checkpointIntervalMs: 5000,
    });
  });

  it('reads every setting', () => {
    expect(
      loadAuditEnv({
        source: {
          AUDIT_SUBJECT_KEY: key,
          AUDIT_SUBJECT_KEYS_PREVIOUS: ` ${'p'.repeat(32)} , ${'q'.repeat(40)} `,
          AUDIT_SIGNING_KEY_PATH: 'var/pki/audit-signer.key',
          AUDIT_SIGNING_KEY_PASSPHRASE: 'pass phrase',
          AUDIT_BATCH_SIZE: '500',
          AUDIT_FLUSH_INTERVAL_MS: '0',
          AUDIT_MAX_QUEUE: '20000',
          AUDIT_CHECKPOINT_INTERVAL_MS: '2000',
          AUDIT_RETENTION_DAYS: '1825',
        },
      }),
    ).toEqual({
      subjectKey: key,
      previousSubjectKeys: ['p'.repeat(32), 'q'.repeat(40)],
      signingKeyPath: 'var/pki/audit-signer.key',
      signingKeyPassphrase: 'pass phrase',
      batchSize: 500,
      flushIntervalMs: 0,
      maxQueue: 20_000,
      checkpointIntervalMs: 2000,
      retentionDays: 1825,
    });
  });

  it('lists every problem at once and never echoes a key', () => {
    const secret = 'short-secret-value';
    let message = '';
    try {
      loadAuditEnv({
        source: {
          AUDIT_SUBJECT_KEY: secret,
          AUDIT_SUBJECT_KEYS_PREVIOUS: 'tiny',
          AUDIT_BATCH_SIZE: '0',
          AUDIT_MAX_QUEUE: 'lots',
        },
      });
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      message = (error as Error).message;
    }
    expect(message).toContain('AUDIT_SUBJECT_KEY must be at least 32 bytes');
    expect(message).toContain('AUDIT_SUBJECT_KEYS_PREVIOUS[0] must be at least 32 bytes');
    expect(message).toContain('AUDIT_BATCH_SIZE must be a whole number from 1 to 5000');
    expect(message).toContain('AUDIT_MAX_QUEUE must be a whole number');
    expect(message).not.toContain(secret);
    expect(message).not.toContain('tiny');
  });

  it('requires the key unless the command does not hash subjects', () => {
    expect(() => loadAuditEnv({ source: {} })).toThrow(/AUDIT_SUBJECT_KEY is required/);
    expect(loadAuditEnv({ source: {}, requireKey: false }).subjectKey).toBe('');
  });
});
