import { buildConnector, Pool } from 'undici';

/** An upstream answer read in full: status, headers and body as text. */
export interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface UpstreamPoolOptions {
  /** Keep-alive connections to the upstream. */
  connections: number;
  /** Larger answers fail with UND_ERR_RES_EXCEEDED_MAX_SIZE. */
  maxResponseBytes: number;
  /** Connect timeout: the policy's per-attempt timeout. */
  connectTimeoutMs: number;
  /** TLS settings of the connection (client certificate, CA, servername, ...); `timeout` is ignored. */
  connect?: buildConnector.BuildOptions;
}

/**
 * The connection pool of an upstream lookup client: keep-alive, no pipelining, and generous header/body
 * timeouts that are backstops only (the policy's per-attempt timeout aborts first).
 */
export function upstreamPool(origin: string, options: UpstreamPoolOptions): Pool {
  return new Pool(origin, {
    connections: options.connections,
    pipelining: 1,
    keepAliveTimeout: 30_000,
    keepAliveMaxTimeout: 60_000,
    // Backstops only: the policy's per-attempt timeout aborts first.
    headersTimeout: 60_000,
    bodyTimeout: 60_000,
    maxResponseSize: options.maxResponseBytes,
    connect: { ...options.connect, timeout: options.connectTimeoutMs },
  });
}

/**
 * `promise`, or a rejection with `abortError()` as soon as `signal` aborts (a late settlement of `promise`
 * is ignored here; others awaiting it still see it).
 */
export function untilAborted<T>(
  promise: Promise<T>,
  signal: AbortSignal,
  abortError: () => unknown = () => new Error('aborted'),
): Promise<T> {
  promise.catch(() => undefined);
  if (signal.aborted) return Promise.reject(abortError());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortError());
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/** A response header as one string (repeated headers joined with `, `). */
export function header(answer: RawAnswer, name: string): string | undefined {
  const value = answer.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

/** Retry-After in milliseconds (delay in seconds or an HTTP date), or undefined without a usable one. */
export function retryAfterMs(answer: RawAnswer): number | undefined {
  const value = header(answer, 'retry-after');
  if (!value) return undefined;
  if (/^[0-9]+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}
