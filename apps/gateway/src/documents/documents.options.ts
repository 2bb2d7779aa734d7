import type { AppLogger } from '@lienthong/observability';
import type { AgencyTrustSource } from './agency-trust';

export interface DocumentsModuleOptions {
  /**
   * PKI_DIR: the CA (`ca.crt`) and the issuing agencies' certificates (`agency-<code>.crt`) that document
   * signatures are verified against; relative paths from the repository root (default `var/pki`).
   * Ignored when `trust` is given.
   */
  pkiDir?: string;
  /** Trust material of your own instead of the PKI directory. */
  trust?: AgencyTrustSource;
  /** AUDIT_SUBJECT_KEY: owners are stored as keyed hashes, the same as the audit log's subjects. */
  subjectKey: string | Buffer;
  /** AUDIT_SUBJECT_KEYS_PREVIOUS: documents registered under an earlier key stay findable. */
  previousSubjectKeys?: readonly (string | Buffer)[];
  logger?: AppLogger;
  /** Clock for validity dates and signature checks (tests). */
  now?: () => Date;
}

export const DOCUMENTS_OPTIONS = Symbol('DOCUMENTS_OPTIONS');
