import { rmSync } from 'node:fs';
import { dropDatabase } from '../support/database';
import { scanLogFile } from '../support/log-scan';

export default async function globalTeardown(): Promise<void> {
  try {
    await stopInfra();
  } finally {
    checkCapturedLogs();
  }
}

/** Fails the run when any captured log line holds a personal ID in clear (the excerpts show only its length). */
function checkCapturedLogs(): void {
  const file = globalThis.__LGSP_LOG_CAPTURE__;
  if (!file) return;
  const scan = scanLogFile(file);
  if (scan.findings.length > 0) {
    const shown = scan.findings.slice(0, 20).map((finding) => `  line ${finding.line}: ${finding.excerpt}`);
    throw new Error(
      `${scan.findings.length} of ${scan.lines} captured log lines hold a personal ID in clear (kept in ${file}):\n${shown.join('\n')}`,
    );
  }
  process.stdout.write(`\nlog check: ${scan.lines} captured log lines, no personal ID in clear\n`);
  rmSync(file, { force: true });
  // the heavy suites' marks (test/support/heavy-suites.ts)
  rmSync(`${file}.heavy`, { recursive: true, force: true });
}

async function stopInfra(): Promise<void> {
  const infra = globalThis.__LGSP_TEST_INFRA__;
  if (!infra) return;
  if (infra.kafka) {
    await infra.kafka.stop();
    rmSync(infra.kafka.dataDir, { recursive: true, force: true });
  }
  if (infra.createdDatabase) {
    await dropDatabase(infra.createdDatabase.adminUrl, infra.createdDatabase.name);
  }
}
