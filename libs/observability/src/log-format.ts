import { Writable } from 'node:stream';
import { prettyFactory } from 'pino-pretty';

/** LOG_FORMAT: `auto` (readable on a terminal, JSON otherwise), `pretty` or `json`. */
export type LogFormat = 'auto' | 'pretty' | 'json';

/** What `auto` means for an output: readable lines on a terminal, JSON lines for pipes, files and collectors. */
export function resolveLogFormat(
  format: string | undefined = process.env.LOG_FORMAT,
  isTty: boolean = process.stdout.isTTY === true,
): 'pretty' | 'json' {
  if (format === 'json' || format === 'pretty') return format;
  return isTty ? 'pretty' : 'json';
}

export interface LogLineWriterOptions {
  format: 'pretty' | 'json';
  /** Colours in pretty mode (default: when the output is a terminal and NO_COLOR is unset). */
  colorize?: boolean;
  /** A run of identical messages is summed up once this long passes without another line (default 1 s). */
  settleMs?: number;
}

interface Run {
  key: string;
  repeated: number;
  timer?: NodeJS.Timeout;
}

/**
 * Writes pino's JSON lines for a person or for a machine. Pretty: one readable line per record (time, level,
 * source, message, then the fields), and a run of the same message from the same source (same level,
 * message and error code: one stuck dead letter retried a thousand times) printed once, followed by
 * "… repeated 1,005 times" when the run ends. JSON: the lines unchanged, every one kept for the collector.
 * Lines that are not JSON (a child's own console output) pass through as they are.
 */
export class LogLineWriter {
  private readonly pretty?: (record: object) => string;
  private readonly runs = new Map<string, Run>();
  private readonly settleMs: number;

  constructor(
    private readonly out: (text: string) => void,
    private readonly options: LogLineWriterOptions,
  ) {
    this.settleMs = options.settleMs ?? 1000;
    if (options.format === 'pretty') {
      this.pretty = prettyFactory({
        colorize: options.colorize ?? (process.stdout.isTTY === true && !process.env.NO_COLOR),
        singleLine: true,
        translateTime: 'SYS:HH:MM:ss.l',
        ignore: 'pid,hostname,app,name',
        messageKey: 'msg',
        messageFormat: '{if name}[{name}] {end}{msg}',
      });
    }
  }

  /** One line of output from `source` (a process name, or '' for this process). */
  write(line: string, source = ''): void {
    const prefix = source ? `[${source}] ` : '';
    if (!this.pretty) {
      this.out(`${prefix}${line}\n`);
      return;
    }
    let record: Record<string, unknown> | undefined;
    try {
      const parsed: unknown = JSON.parse(line);
      if (parsed && typeof parsed === 'object' && 'msg' in parsed) record = parsed as Record<string, unknown>;
    } catch {
      // not a log record
    }
    if (!record) {
      this.endRun(source);
      this.out(`${prefix}${line}\n`);
      return;
    }
    const key = JSON.stringify([record.level, record.name, record.msg, errorCode(record)]);
    const run = this.runs.get(source);
    if (run?.key === key) {
      run.repeated += 1;
      this.settle(source, run);
      return;
    }
    this.endRun(source);
    const text = this.pretty(record).replace(/\n$/, '');
    this.out(`${source && !record.name ? prefix : ''}${text}\n`);
    const next: Run = { key, repeated: 0 };
    this.runs.set(source, next);
  }

  /** Prints the pending "repeated" summaries now (at exit, or in tests). */
  flush(): void {
    for (const source of [...this.runs.keys()]) this.endRun(source);
  }

  private settle(source: string, run: Run): void {
    if (run.timer) clearTimeout(run.timer);
    run.timer = setTimeout(() => this.endRun(source), this.settleMs);
    run.timer.unref();
  }

  private endRun(source: string): void {
    const run = this.runs.get(source);
    if (!run) return;
    if (run.timer) clearTimeout(run.timer);
    this.runs.delete(source);
    if (run.repeated > 0) {
      const times = run.repeated.toLocaleString('en-US');
      this.out(`${source ? `[${source}] ` : ''}… repeated ${times} time${run.repeated === 1 ? '' : 's'}\n`);
    }
  }
}

function errorCode(record: Record<string, unknown>): unknown {
  const error = (record.error ?? record.err) as Record<string, unknown> | undefined;
  return record.code ?? error?.code;
}

/** A pino destination that writes through a LogLineWriter to `out` (default: standard output, synchronously). */
export function formattedDestination(
  format: 'pretty' | 'json',
  out: (text: string) => void = (text) => process.stdout.write(text),
): Writable & { writer: LogLineWriter } {
  const writer = new LogLineWriter(out, { format });
  let pending = '';
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      pending += chunk.toString();
      let newline = pending.indexOf('\n');
      while (newline >= 0) {
        writer.write(pending.slice(0, newline));
        pending = pending.slice(newline + 1);
        newline = pending.indexOf('\n');
      }
      callback();
    },
    final(callback) {
      if (pending) writer.write(pending);
      writer.flush();
      callback();
    },
  });
  return Object.assign(stream, { writer });
}
