/**
 * The check behind "no personal ID in clear in any log line": every process the suites start (in-process apps,
 * spawned gateway/relay/CLI processes) appends its log lines to LGSP_LOG_CAPTURE_FILE, and global teardown scans
 * that file once all suites are done. Relative imports only: global setup and teardown run without path aliases.
 */
import { existsSync, readFileSync } from 'node:fs';

/** UUIDs (their last group may be 12 digits) and long hex runs (hashes, signatures) are not identifiers. */
const NOT_IDENTIFIERS = [
  /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi,
  /(?<![0-9a-z])(?:\\x)?[0-9a-f]{16,}(?![0-9a-z])/gi,
];
/** A personal ID (12 digits) or a legacy ID card number (9 digits), standing alone (not the fraction of a number). */
const PERSONAL_ID = /(?<![0-9.])([0-9]{12}|[0-9]{9})(?![0-9])/g;

export interface LogFinding {
  line: number;
  /** The line with the identifier masked but its position shown, so the report itself leaks nothing. */
  excerpt: string;
}

export interface LogScan {
  lines: number;
  findings: LogFinding[];
}

export function scanLogText(text: string): LogScan {
  const lines = text.split('\n').filter((line) => line.length > 0);
  const findings: LogFinding[] = [];
  lines.forEach((line, index) => {
    const cleaned = NOT_IDENTIFIERS.reduce(
      (acc, pattern) => acc.replace(pattern, (m) => '#'.repeat(m.length)),
      line,
    );
    PERSONAL_ID.lastIndex = 0;
    const match = PERSONAL_ID.exec(cleaned);
    if (!match) return;
    const from = Math.max(0, match.index - 80);
    const excerpt =
      line.slice(from, match.index) +
      '<' +
      match[1].length +
      ' digits>' +
      line.slice(match.index + match[1].length, match.index + match[1].length + 80);
    findings.push({ line: index + 1, excerpt });
  });
  return { lines: lines.length, findings };
}

export function scanLogFile(file: string): LogScan {
  return existsSync(file) ? scanLogText(readFileSync(file, 'utf8')) : { lines: 0, findings: [] };
}
