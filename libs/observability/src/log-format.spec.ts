import { LogLineWriter, resolveLogFormat } from './log-format';
import { createLogger } from './logger';

function record(msg: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    level: 'warn',
    time: '2026-03-01T08:00:00.000Z',
    app: 'relay',
    name: 'relay',
    msg,
    ...extra,
  });
}

describe('log output', () => {
  it('is readable on a terminal and JSON for pipes unless LOG_FORMAT says otherwise', () => {
    expect(resolveLogFormat(undefined, true)).toBe('pretty');
    expect(resolveLogFormat('auto', false)).toBe('json');
    expect(resolveLogFormat('json', true)).toBe('json');
    expect(resolveLogFormat('pretty', false)).toBe('pretty');
  });

  it('prints one readable line per record, with the source and the fields', () => {
    const lines: string[] = [];
    const writer = new LogLineWriter((text) => lines.push(text), { format: 'pretty', colorize: false });
    writer.write(
      record('request completed with an error status', { route: '/health/ready', status: 401 }),
      'gateway',
    );
    writer.write('plain console output', 'gateway');
    expect(lines).toEqual([
      expect.stringMatching(
        /^\[\d\d:\d\d:\d\d\.\d{3}\] WARN: \[relay\] request completed with an error status .*"route":"\/health\/ready".*"status":401/,
      ),
      '[gateway] plain console output\n',
    ]);
    expect(lines[0]).not.toContain('"msg"');
  });

  it('collapses a run of the same message into one line and a count', () => {
    const lines: string[] = [];
    const writer = new LogLineWriter((text) => lines.push(text), { format: 'pretty', colorize: false });
    writer.write(record('starting'), 'relay');
    for (let index = 0; index < 1006; index++) {
      writer.write(
        record('message sent to the dead-letter topic', { offset: index, code: 'PORTAL_REJECTED' }),
        'relay',
      );
    }
    writer.write(record('message sent to the dead-letter topic', { code: 'OTHER' }), 'relay');
    writer.write(record('ready'), 'relay');
    writer.flush();
    expect(lines.map((line) => line.replace(/^\[[\d:.]+\] /, ''))).toEqual([
      expect.stringContaining('[relay] starting'),
      expect.stringContaining('[relay] message sent to the dead-letter topic'),
      '[relay] … repeated 1,005 times\n',
      expect.stringContaining('"code":"OTHER"'),
      expect.stringContaining('[relay] ready'),
    ]);
  });

  it('sums up a run once the source goes quiet', async () => {
    const lines: string[] = [];
    const writer = new LogLineWriter((text) => lines.push(text), {
      format: 'pretty',
      colorize: false,
      settleMs: 20,
    });
    writer.write(record('retrying'), 'apps');
    writer.write(record('retrying'), 'apps');
    await new Promise<void>((resolve) => {
      const check = setInterval(() => {
        if (lines.length === 2) {
          clearInterval(check);
          resolve();
        }
      }, 5);
    });
    expect(lines[1]).toBe('[apps] … repeated 1 time\n');
  });

  it('keeps every JSON line as it is for a collector', () => {
    const lines: string[] = [];
    const writer = new LogLineWriter((text) => lines.push(text), { format: 'json' });
    writer.write(record('same'), 'relay');
    writer.write(record('same'), 'relay');
    expect(lines).toEqual([`[relay] ${record('same')}\n`, `[relay] ${record('same')}\n`]);
  });

  it('formats the application logger itself when asked for pretty output', () => {
    const previous = process.env.LOG_FORMAT;
    process.env.LOG_FORMAT = 'pretty';
    const written: string[] = [];
    const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      written.push(String(chunk));
      return true;
    });
    try {
      const logger = createLogger({ name: 'gateway', level: 'info' });
      logger.info({ route: '/v1/land-parcels/lookup' }, 'lookup served');
      logger.info({ route: '/v1/land-parcels/lookup' }, 'lookup served');
      logger.info('stopping');
    } finally {
      write.mockRestore();
      process.env.LOG_FORMAT = previous;
    }
    expect(written.join('')).toMatch(
      /INFO: \[gateway\] lookup served .*\n.*… repeated 1 time\n.*INFO: \[gateway\] stopping/,
    );
  });
});
