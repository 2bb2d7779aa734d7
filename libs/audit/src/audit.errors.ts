import type { ContractError } from '@lienthong/contracts';

/** Base class of the audit library's errors. Messages never carry an identifier or a record value. */
export class AuditError extends Error {
  override readonly name: string = 'AuditError';
}

/**
 * An entry that does not match the audit-record contract. Thrown synchronously by `AuditLog.record`:
 * it is a programming error of the caller (pass only values that passed request validation), and a
 * lookup that cannot be audited must not be answered.
 */
export class AuditEntryError extends AuditError {
  override readonly name = 'AuditEntryError';
  constructor(readonly errors: readonly Pick<ContractError, 'path' | 'code'>[]) {
    super(
      `audit entry does not match the audit-record contract: ${errors
        .map((error) => `${error.path || '/'} ${error.code}`)
        .join('; ')}`,
    );
  }
}

/** `record` was called after the log was closed (application shutdown). */
export class AuditLogClosedError extends AuditError {
  override readonly name = 'AuditLogClosedError';
  constructor() {
    super('the audit log is closed; no more records are accepted');
  }
}

/** Invalid configuration: subject key, signing key, batch sizes. Names the setting, never its value. */
export class AuditConfigError extends AuditError {
  override readonly name = 'AuditConfigError';
}

/** The audit tables are missing or inconsistent (migration 0002_audit not applied, head row gone). */
export class AuditStorageError extends AuditError {
  override readonly name = 'AuditStorageError';
}

/** Retention refused to remove a prefix of the chain that does not verify. */
export class AuditChainBrokenError extends AuditError {
  override readonly name = 'AuditChainBrokenError';
  constructor(
    readonly seq: string,
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}
