import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '@lienthong/observability';
import { scanLogFile, scanLogText } from './log-scan';

describe('log scan for personal IDs', () => {
  it('finds a 12-digit personal ID or a 9-digit legacy ID card number standing alone', () => {
    const scan = scanLogText(
      ['{"msg":"ok"}', '{"msg":"lookup for 001203004567 failed"}', '{"idCard":"012345678"}'].join('\n'),
    );
    expect(scan.lines).toBe(3);
    expect(scan.findings.map((finding) => finding.line)).toEqual([2, 3]);
    expect(JSON.stringify(scan.findings)).not.toContain('001203004567');
    expect(scan.findings[0].excerpt).toContain('<12 digits>');
  });

  it('does not mistake uuids, hashes, bytea signatures, enterprise codes or timestamps for identifiers', () => {
    const scan = scanLogText(
      [
        '{"requestId":"9756485b-f813-416c-979e-123456789012"}',
        '{"hash":"643695e2b6bc56574ffc4978688d2bd79816aa919a30c3dbca94b612ac3c1e20","sig":"\\\\x123456789012abcdef0123"}',
        '{"enterpriseCode":"0100109106","branch":"0100109106-001","ms":32.123456789012}',
        '{"time":"2026-11-22T18:16:04.989Z","at":1795452964989,"NgayTiepNhan":"20261122181604"}',
      ].join('\n'),
    );
    expect(scan.findings).toEqual([]);
  });

  it('sees what the project logger writes to the capture file, redacted', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lienthong-log-scan-'));
    const file = join(dir, 'capture.jsonl');
    writeFileSync(file, '');
    const previous = process.env.LGSP_LOG_CAPTURE_FILE;
    process.env.LGSP_LOG_CAPTURE_FILE = file;
    try {
      const sink: string[] = [];
      const logger = createLogger({
        name: 'scan-test',
        destination: { write: (line: string) => sink.push(line) },
      });
      logger.info(
        { personalId: '001203004567', note: 'citizen 001203004567 looked up' },
        'lookup 001203004567',
      );
      logger.flush();
      const quiet = createLogger({ name: 'scan-test', level: 'silent' });
      quiet.debug({ dossierCode: '000.17.22.H56-261031-0007' }, 'captured although the console is silent');
      quiet.flush();
      const scan = scanLogFile(file);
      expect(scan.lines).toBe(2);
      expect(scan.findings).toEqual([]);
      expect(sink.join('')).toContain('[redacted]');
    } finally {
      if (previous === undefined) delete process.env.LGSP_LOG_CAPTURE_FILE;
      else process.env.LGSP_LOG_CAPTURE_FILE = previous;
    }
  });
});
