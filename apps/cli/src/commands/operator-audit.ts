import { randomUUID } from 'node:crypto';
import { loadEnv } from '@lienthong/config';
import {
  AuditLog,
  AuditSigner,
  NoopAuditPublisher,
  loadAuditEnv,
  operatorClientId,
  type AuditEntry,
} from '@lienthong/audit';
import { createLogger } from '@lienthong/observability';
import { createDatabase, migrate } from '@lienthong/storage';

/** What an operator command records about one action it took. */
export type OperatorAction = Pick<AuditEntry, 'service' | 'upstream' | 'outcome'> &
  Partial<Pick<AuditEntry, 'outcomeCode' | 'dossierCode'>>;

export interface OperatorAudit {
  /** Who, as the client id of the records. */
  readonly clientId: string;
  readonly requestId: string;
  /** Writes the actions to the audit log (one record each) and waits until they are committed. */
  record(actions: readonly OperatorAction[]): Promise<void>;
}

/**
 * Audits the state-changing operator commands (dead-letter replays, topic creation): who ran them (the
 * `--operator` name, or the OS user) and what they did. The settings are checked before the command
 * acts, so an action that cannot be audited is not taken. Records go to the database (signed, with a
 * checkpoint, when AUDIT_SIGNING_KEY_PATH is set); the gateway's next checkpoint publishes them.
 */
export function operatorAudit(
  operator: string | undefined,
  source: NodeJS.ProcessEnv = process.env,
): OperatorAudit {
  const settings = loadAuditEnv({ source });
  const env = loadEnv(['DATABASE_URL', 'PGLITE_DIR'], { source });
  const signer = settings.signingKeyPath
    ? AuditSigner.fromPemFile(settings.signingKeyPath, settings.signingKeyPassphrase)
    : undefined;
  const clientId = operatorClientId(operator);
  const requestId = `cli-${randomUUID()}`;
  return {
    clientId,
    requestId,
    async record(actions) {
      if (actions.length === 0) return;
      const db = await createDatabase({
        url: env.DATABASE_URL,
        pgliteDir: env.PGLITE_DIR,
        applicationName: 'lienthong-cli',
      });
      // A database no gateway has started on yet has no audit tables: the log would retry its writes forever.
      await migrate(db).catch(async (error: unknown) => {
        await db.close();
        throw error;
      });
      const log = new AuditLog(db, new NoopAuditPublisher(), {
        subjectKey: settings.subjectKey,
        signer,
        logger: createLogger({ name: 'cli', level: 'warn', destination: process.stderr }),
      });
      try {
        await Promise.all(
          actions.map((action) =>
            log.recordAndWait({ requestId, clientId, subject: { kind: 'NONE' }, ...action }),
          ),
        );
      } finally {
        await log.close();
        await db.close();
      }
    },
  };
}
