import http from 'node:http';
import https from 'node:https';
import { Readable, pipeline } from 'node:stream';
import { Dispatcher, errors } from 'undici';

/** TLS settings of the https requests: client certificate, trusted CA, expected server name. */
export interface NodeHttpTlsOptions {
  key?: string | Buffer;
  cert?: string | Buffer;
  ca?: string | Buffer | (string | Buffer)[];
  servername?: string;
  /** Default true. */
  rejectUnauthorized?: boolean;
}

export interface NodeHttpDispatcherOptions {
  tls?: NodeHttpTlsOptions;
  /** Time allowed until the response headers; the request's `headersTimeout` wins. Default: none. */
  headersTimeoutMs?: number;
  /** Time allowed between two body chunks; the request's `bodyTimeout` wins. Default: none. */
  bodyTimeoutMs?: number;
  /** A larger response body fails with UND_ERR_RES_EXCEEDED_MAX_SIZE. Default: no limit. */
  maxResponseBytes?: number;
}

type Handler = Dispatcher.DispatchHandlers;
type Headers = Record<string, string | string[]>;

/**
 * An undici Dispatcher that sends each request with node's `http`/`https.request`, for specs: a client's real
 * code path (`dispatcher.request(...)`, as on its Pool) runs unchanged while nock, which sees only node's http
 * modules, intercepts the exchange. It follows undici's handler contract: `onConnect(abort)` before the
 * request is sent (an aborted signal stops it there), `onHeaders` with raw headers as Buffer pairs and a
 * `resume` for back-pressure, `onData`, `onComplete` with the raw trailers, and exactly one `onError` on
 * failure, abort or timeout, after which nothing else is called.
 */
export class NodeHttpDispatcher extends Dispatcher {
  private readonly inflight = new Set<(error: Error) => void>();
  private readonly agents: { http: http.Agent; https: https.Agent };
  private closed = false;
  private readonly idle: (() => void)[] = [];

  constructor(private readonly options: NodeHttpDispatcherOptions = {}) {
    super();
    this.agents = { http: new http.Agent(), https: new https.Agent() };
  }

  /** Requests sent and not yet settled. */
  get pending(): number {
    return this.inflight.size;
  }

  override dispatch(options: Dispatcher.DispatchOptions, handler: Handler): boolean {
    if (this.closed) {
      handler.onError?.(new errors.ClientClosedError());
      return false;
    }
    let target: URL;
    let headers: Headers;
    try {
      target = targetOf(options);
      headers = headersOf(options.headers);
    } catch (error) {
      handler.onError?.(error as Error);
      return true;
    }
    const limits: Limits = {
      headersTimeoutMs: options.headersTimeout ?? this.options.headersTimeoutMs,
      bodyTimeoutMs: options.bodyTimeout ?? this.options.bodyTimeoutMs,
      maxResponseBytes: this.options.maxResponseBytes,
    };
    const exchange = new Exchange(handler, limits, (cancel) => {
      this.inflight.delete(cancel);
      if (this.inflight.size === 0) this.idle.splice(0).forEach((resolve) => resolve());
    });
    this.inflight.add(exchange.cancel);
    const request = this.requestOptions(target, options.method, headers);
    // http.request is looked up at call time, so an interceptor installed later (nock) is the one used.
    const send = () => (target.protocol === 'https:' ? https.request(request) : http.request(request));
    process.nextTick(() => exchange.start(send, options.body));
    return true;
  }

  override close(): Promise<void>;
  override close(callback: () => void): void;
  override close(callback?: () => void): Promise<void> | void {
    this.closed = true;
    const done = new Promise<void>((resolve) => {
      if (this.inflight.size === 0) resolve();
      else this.idle.push(resolve);
    }).then(() => this.destroyAgents());
    if (!callback) return done;
    void done.then(callback);
  }

  override destroy(): Promise<void>;
  override destroy(error: Error | null): Promise<void>;
  override destroy(callback: () => void): void;
  override destroy(error: Error | null, callback: () => void): void;
  override destroy(
    errorOrCallback?: Error | null | (() => void),
    callback?: () => void,
  ): Promise<void> | void {
    const error = typeof errorOrCallback === 'function' ? null : errorOrCallback;
    const done = typeof errorOrCallback === 'function' ? errorOrCallback : callback;
    this.closed = true;
    for (const cancel of [...this.inflight]) cancel(error ?? new errors.ClientDestroyedError());
    this.destroyAgents();
    if (!done) return Promise.resolve();
    process.nextTick(done);
  }

  private destroyAgents(): void {
    this.agents.http.destroy();
    this.agents.https.destroy();
  }

  private requestOptions(target: URL, method: string, headers: Headers): https.RequestOptions {
    const secure = target.protocol === 'https:';
    return {
      protocol: target.protocol,
      hostname: target.hostname.replace(/^\[(.*)\]$/, '$1'),
      port: target.port || (secure ? 443 : 80),
      path: target.pathname + target.search,
      method,
      headers,
      agent: secure ? this.agents.https : this.agents.http,
      ...(secure ? this.options.tls : {}),
    };
  }
}

interface Limits {
  headersTimeoutMs?: number | null;
  bodyTimeoutMs?: number | null;
  maxResponseBytes?: number;
}

/** One request and its response, fed to the undici handler. */
class Exchange {
  private settled = false;
  private req?: http.ClientRequest;
  private res?: http.IncomingMessage;
  private timer?: NodeJS.Timeout;
  private received = 0;

  constructor(
    private readonly handler: Handler,
    private readonly limits: Limits,
    private readonly release: (cancel: (error: Error) => void) => void,
  ) {}

  /** Fails the exchange with `error` (abort, timeout, destroy): one onError, the request destroyed. */
  readonly cancel = (error: Error): void => {
    if (this.settled) return;
    this.finish();
    this.req?.destroy();
    this.res?.destroy();
    this.handler.onError?.(error);
  };

  start(create: () => http.ClientRequest, body: Dispatcher.DispatchOptions['body']): void {
    this.handler.onConnect?.((error?: Error) => this.cancel(error ?? new errors.RequestAbortedError()));
    if (this.settled) return;
    let req: http.ClientRequest;
    try {
      req = create();
    } catch (error) {
      this.cancel(error as Error);
      return;
    }
    this.req = req;
    req.on('error', (error) => this.cancel(error));
    req.on('information', (info) => {
      if (!this.settled)
        this.handler.onHeaders?.(info.statusCode, rawHeaders(info.rawHeaders), noop, info.statusMessage);
    });
    req.on('response', (res) => this.respond(res));
    this.arm(this.limits.headersTimeoutMs, () => new errors.HeadersTimeoutError());
    this.send(req, body);
  }

  private send(req: http.ClientRequest, body: Dispatcher.DispatchOptions['body']): void {
    if (body === undefined || body === null) {
      req.end();
    } else if (typeof body === 'string' || body instanceof Uint8Array) {
      if (!req.hasHeader('content-length')) req.setHeader('content-length', Buffer.byteLength(body));
      req.end(body);
    } else if (isIterable(body) && !isFormData(body)) {
      const source = body instanceof Readable ? body : Readable.from(body, { objectMode: false });
      pipeline(source, req, (error) => {
        if (error) this.cancel(error);
      });
    } else {
      this.cancel(new errors.NotSupportedError('this request body type is not supported'));
    }
  }

  private respond(res: http.IncomingMessage): void {
    const { limits } = this;
    if (this.settled) {
      res.destroy();
      return;
    }
    this.res = res;
    this.arm(limits.bodyTimeoutMs, () => new errors.BodyTimeoutError());
    const resume = () => {
      if (!this.settled) res.resume();
    };
    this.handler.onResponseStarted?.();
    const flowing = this.handler.onHeaders?.(
      res.statusCode ?? 0,
      rawHeaders(res.rawHeaders),
      resume,
      res.statusMessage ?? '',
    );
    if (this.settled) return;
    if (flowing === false) res.pause();
    res.on('data', (chunk: Buffer) => {
      if (this.settled) return;
      this.received += chunk.length;
      if (limits.maxResponseBytes !== undefined && this.received > limits.maxResponseBytes) {
        this.cancel(new errors.ResponseExceededMaxSizeError());
        return;
      }
      this.arm(limits.bodyTimeoutMs, () => new errors.BodyTimeoutError());
      if (this.handler.onData?.(chunk) === false) res.pause();
    });
    res.on('end', () => {
      if (this.settled) return;
      this.finish();
      this.handler.onComplete?.(res.rawTrailers);
    });
    res.on('error', (error) => this.cancel(error));
    res.on('close', () => this.cancel(new errors.SocketError('other side closed')));
  }

  /** (Re)starts the timer of the current phase: headers, then each body chunk. */
  private arm(ms: number | null | undefined, error: () => Error): void {
    clearTimeout(this.timer);
    if (!ms) return;
    this.timer = setTimeout(() => this.cancel(error()), ms);
    this.timer.unref();
  }

  private finish(): void {
    this.settled = true;
    clearTimeout(this.timer);
    this.release(this.cancel);
  }
}

function noop(): void {}

function targetOf(options: Dispatcher.DispatchOptions): URL {
  if (!options.origin) throw new errors.InvalidArgumentError('origin is required');
  if (typeof options.path !== 'string' || !options.path.startsWith('/')) {
    throw new errors.InvalidArgumentError('path must start with a slash');
  }
  const target = new URL(new URL(String(options.origin)).origin + options.path);
  if (target.protocol !== 'http:' && target.protocol !== 'https:') {
    throw new errors.InvalidArgumentError(`unsupported protocol ${target.protocol}`);
  }
  for (const [name, value] of Object.entries(options.query ?? {})) {
    target.searchParams.append(name, String(value));
  }
  return target;
}

/** undici's header forms (object, flat [name, value, ...] array, iterable of pairs) as node's. */
function headersOf(given: Dispatcher.DispatchOptions['headers']): Headers {
  const headers: Headers = {};
  const add = (name: string, value: string | string[] | undefined) => {
    if (value === undefined) return;
    const key = name.toLowerCase();
    const values = Array.isArray(value) ? value.map(String) : [String(value)];
    const existing = headers[key];
    headers[key] =
      existing === undefined
        ? values.length === 1
          ? values[0]
          : values
        : [...(Array.isArray(existing) ? existing : [existing]), ...values];
  };
  if (!given) return headers;
  if (Array.isArray(given)) {
    if (given.length % 2 !== 0) throw new errors.InvalidArgumentError('headers array must be even');
    for (let i = 0; i < given.length; i += 2) add(String(given[i]), String(given[i + 1]));
  } else if (isIterable(given)) {
    for (const [name, value] of given as Iterable<[string, string | string[] | undefined]>) add(name, value);
  } else {
    for (const [name, value] of Object.entries(given)) add(name, value);
  }
  return headers;
}

function rawHeaders(raw: string[]): Buffer[] {
  return raw.map((value) => Buffer.from(value, 'latin1'));
}

function isFormData(value: object): boolean {
  return Object.prototype.toString.call(value) === '[object FormData]';
}

function isIterable(value: unknown): value is Iterable<unknown> | AsyncIterable<unknown> {
  return (
    typeof value === 'object' && value !== null && (Symbol.iterator in value || Symbol.asyncIterator in value)
  );
}
