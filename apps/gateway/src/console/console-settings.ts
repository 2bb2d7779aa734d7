import type { CertificateInUse } from '@lienthong/pki';

/** What the console needs of the gateway's configuration (ConsoleModule.forRoot). */
export interface ConsoleSettings {
  /** AUDIT_SIGNING_KEY_PATH: its public half verifies the chain's signatures and checkpoints. */
  auditSigningKeyPath?: string;
  auditSigningKeyPassphrase?: string;
  /** The certificate files the settings name, as the certificate-expiry metric reads them. */
  certificates?: readonly CertificateInUse[];
}
export const CONSOLE_SETTINGS = Symbol('CONSOLE_SETTINGS');
