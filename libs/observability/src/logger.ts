import { LoggerService } from '@nestjs/common';
import pino, { Logger } from 'pino';
import { formattedDestination, resolveLogFormat } from './log-format';
import { redactText, redactValue } from './redact';

export type AppLogger = Logger;

/**
 * JSON logs (pino) with personal identifiers redacted from every field and message. `destination`
 * lets tests capture the output to check that no personal ID is ever written. Without one, standard
 * output gets JSON lines, or readable lines with repeated messages collapsed when it is a terminal or
 * LOG_FORMAT=pretty (LOG_FORMAT=json keeps JSON on a terminal too).
 */
export function createLogger(
  options: { name: string; level?: string; destination?: pino.DestinationStream } = { name: 'lienthong' },
): AppLogger {
  const level = options.level ?? process.env.LOG_LEVEL ?? 'info';
  const destination =
    options.destination ??
    (resolveLogFormat() === 'pretty' ? formattedDestination('pretty') : pino.destination({ sync: false }));
  const capture = process.env.LGSP_LOG_CAPTURE_FILE;
  return pino(
    {
      name: options.name,
      level: capture ? captureLevel(level) : level,
      base: { app: options.name },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: {
        level: (label) => ({ level: label }),
        log: (object) => redactValue(object) as Record<string, unknown>,
      },
      hooks: {
        logMethod(args, method) {
          const cleaned = args.map((arg) => (typeof arg === 'string' ? redactText(arg) : arg));
          return method.apply(this, cleaned as Parameters<typeof method>);
        },
      },
    },
    capture ? withCapture(destination, level, capture) : destination,
  );
}

/**
 * With LGSP_LOG_CAPTURE_FILE set, every line from `debug` up also goes to that file (appended synchronously,
 * so the lines of several processes interleave whole), whatever LOG_LEVEL lets through to the console. The
 * test suite runs quiet on the console and scans the file for personal IDs once all suites are done.
 */
const CAPTURE_LEVEL = 'debug';

/** The logger's own level when capturing: the lower of LOG_LEVEL and the capture level. */
function captureLevel(level: string): string {
  const value = pino.levels.values[level];
  return value !== undefined && value < pino.levels.values[CAPTURE_LEVEL] ? level : CAPTURE_LEVEL;
}

function withCapture(destination: pino.DestinationStream, level: string, file: string): pino.MultiStreamRes {
  const streams: pino.StreamEntry[] = [
    { level: CAPTURE_LEVEL, stream: pino.destination({ dest: file, append: true, sync: true, mkdir: true }) },
  ];
  if (level !== 'silent') streams.push({ level: level as pino.Level, stream: destination });
  return pino.multistream(streams);
}

/** Lets Nest's own messages (bootstrap, route mapping, microservice events) go through the same logger. */
export class NestPinoLogger implements LoggerService {
  constructor(private readonly logger: AppLogger) {}

  log(message: unknown, context?: string): void {
    this.write('info', message, context);
  }
  error(message: unknown, trace?: string, context?: string): void {
    // Stack traces are kept out of info-level output; they may carry request data.
    this.write('error', message, context ?? trace);
  }
  warn(message: unknown, context?: string): void {
    this.write('warn', message, context);
  }
  debug(message: unknown, context?: string): void {
    this.write('debug', message, context);
  }
  verbose(message: unknown, context?: string): void {
    this.write('trace', message, context);
  }

  private write(
    level: 'info' | 'error' | 'warn' | 'debug' | 'trace',
    message: unknown,
    context?: string,
  ): void {
    if (message instanceof Error) {
      this.logger[level]({ context, err: { type: message.name, message: message.message } }, message.message);
    } else if (typeof message === 'object' && message !== null) {
      this.logger[level]({ context, ...message });
    } else {
      this.logger[level]({ context }, String(message));
    }
  }
}
