import { Command } from 'commander';
import { createDevPki, defaultPkiDir, describeCertificate, loadDevPki } from '@lienthong/pki';

/**
 * `lienthong pki init` creates the development PKI (CA, simulator server certificates, the gateway's client
 * and signing certificate, the population database's signing certificate, agency certificates) and is safe
 * to repeat: valid files are kept. `lienthong pki show` prints each certificate's subject, validity and
 * SHA-256 fingerprint (what clients.yaml pins for mTLS callers).
 */
export function pkiCommand(): Command {
  const pki = new Command('pki').description('development PKI for mutual TLS and XML signatures (var/pki)');

  pki
    .command('init')
    .description('create the dev CA and certificates that are missing or no longer valid (idempotent)')
    .option('--dir <dir>', 'PKI directory (default var/pki under the repository)')
    .option('--agency <code...>', 'agency codes to issue agency-<code> signing certificates for')
    .option('--server <name...>', 'extra simulator server certificates to issue')
    .action((options: { dir?: string; agency?: string[]; server?: string[] }) => {
      const result = createDevPki(options.dir ?? defaultPkiDir(), {
        ...(options.agency ? { agencies: options.agency } : {}),
        ...(options.server ? { servers: options.server } : {}),
      });
      console.log(`development PKI in ${result.dir}`);
      const created = new Set(result.created);
      for (const entry of [result.ca, ...Object.values(result.entries)]) {
        const state = created.has(entry.name) ? 'created' : 'kept   ';
        console.log(`${state} ${entry.name.padEnd(28)} ${entry.certPath}`);
        console.log(`        ${''.padEnd(28)} ${entry.keyPath}`);
      }
    });

  pki
    .command('show')
    .description('print subject, issuer, validity, names and SHA-256 fingerprint of each certificate')
    .option('--dir <dir>', 'PKI directory (default var/pki under the repository)')
    .action((options: { dir?: string }) => {
      const material = loadDevPki(options.dir ?? defaultPkiDir());
      for (const entry of [material.ca, ...Object.values(material.entries)]) {
        const info = describeCertificate(entry.certPem);
        console.log(entry.name);
        console.log(`  subject      ${info.subject}`);
        console.log(`  issuer       ${info.issuer}`);
        console.log(`  valid        ${info.notBefore.toISOString()} .. ${info.notAfter.toISOString()}`);
        if (info.subjectAltNames.length > 0) console.log(`  names        ${info.subjectAltNames.join(', ')}`);
        console.log(`  sha256       ${info.fingerprintSha256}`);
        console.log(`  file         ${entry.certPath}`);
      }
    });

  return pki;
}
