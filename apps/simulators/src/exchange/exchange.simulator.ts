import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent, request, type buildConnector } from 'undici';
import { exchangeHeaderNames, type ExchangePlatformName } from '@lienthong/adapters/common';
import type { AppLogger } from '@lienthong/observability';

/** One upstream the platform forwards a service code to. */
export interface ExchangeService {
  url: string;
  /** TLS settings of the platform's own connection to the upstream (its client certificate, the CA). */
  connect?: buildConnector.BuildOptions;
}

export interface ExchangeSimulatorOptions {
  platform: ExchangePlatformName;
  /** Member id → the credential the platform issued it. */
  members: Record<string, string>;
  /** Service code → upstream. */
  services: Record<string, ExchangeService>;
  /** The platform's service endpoint path (default `/r1`). */
  basePath?: string;
  port?: number;
  host?: string;
  logger?: AppLogger;
}

/** What the platform recorded of one exchange, as its tracing would. */
export interface RecordedExchange {
  transactionId: string;
  client: string;
  service: string;
  method: string;
  /** The upstream path forwarded, without the query (it can hold identifiers). */
  path: string;
  status: number;
  traceparent?: string;
}

export interface RunningExchangeSimulator {
  /** The platform's service endpoint: `<origin><basePath>`. */
  url: string;
  exchanges(): readonly RecordedExchange[];
  /** While down, every call is answered 503 PLATFORM_UNAVAILABLE. */
  setDown(down: boolean): void;
  close(): Promise<void>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Hop-by-hop headers and the platform's own, not forwarded to the upstream. */
const NOT_FORWARDED = new Set(['host', 'connection', 'keep-alive', 'transfer-encoding', 'content-length']);

/**
 * A national exchange platform (NDXP or NDOP) as Liên Thông is assumed to meet it: members identified and
 * authenticated by headers, the upstream named by a service code in the path, a transaction id per exchange,
 * the upstream's own request and answer carried unchanged. It records every exchange for its tracing (read by
 * tests and `GET /__admin/exchanges`) and refuses what a platform would: unknown member or credential, unknown
 * service, a service header that disagrees with the path, a missing transaction id.
 */
export async function startExchangeSimulator(
  options: ExchangeSimulatorOptions,
): Promise<RunningExchangeSimulator> {
  const names = exchangeHeaderNames(options.platform);
  const basePath = (options.basePath ?? '/r1').replace(/\/+$/, '');
  const recorded: RecordedExchange[] = [];
  const agents = new Map<string, Agent>();
  let down = false;
  const agentFor = (code: string, service: ExchangeService) => {
    let agent = agents.get(code);
    if (!agent) {
      agent = new Agent({ connect: service.connect });
      agents.set(code, agent);
    }
    return agent;
  };

  const refuse = (res: ServerResponse, status: number, code: string, detail: string) => {
    res.writeHead(status, { 'content-type': 'application/json', [`x-${options.platform}-error`]: code });
    res.end(JSON.stringify({ code, detail }));
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://platform');
    if (url.pathname === '/__admin/exchanges' && req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(recorded));
      return;
    }
    if (down) return refuse(res, 503, 'PLATFORM_UNAVAILABLE', 'the platform is down');
    const client = String(req.headers[names.client] ?? '');
    const key = req.headers[names.key];
    if (!client || !Object.hasOwn(options.members, client) || options.members[client] !== key) {
      return refuse(res, 401, 'MEMBER_NOT_AUTHENTICATED', 'unknown member or wrong credential');
    }
    const match = url.pathname.startsWith(`${basePath}/`)
      ? /^\/([^/]+)(\/.*)?$/.exec(url.pathname.slice(basePath.length))
      : null;
    const code = match ? decodeURIComponent(match[1]) : '';
    const service = Object.hasOwn(options.services, code) ? options.services[code] : undefined;
    if (!service) return refuse(res, 404, 'UNKNOWN_SERVICE', `no service ${code} on this platform`);
    if (req.headers[names.service] !== code) {
      return refuse(res, 400, 'SERVICE_MISMATCH', 'the service header does not name the service of the path');
    }
    const transactionId = String(req.headers[names.transaction] ?? '');
    if (!UUID.test(transactionId))
      return refuse(res, 400, 'MISSING_TRANSACTION', 'a UUID transaction id is required');

    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (NOT_FORWARDED.has(name) || name.startsWith(`x-${options.platform}-`) || value === undefined)
        continue;
      headers[name] = Array.isArray(value) ? value.join(', ') : value;
    }
    const upstreamPath = `${match?.[2] ?? '/'}${url.search}`;
    const target = new URL(service.url);
    const answer = await request(`${target.origin}${target.pathname.replace(/\/+$/, '')}${upstreamPath}`, {
      method: (req.method ?? 'GET') as 'GET',
      headers,
      body: chunks.length ? Buffer.concat(chunks) : undefined,
      dispatcher: agentFor(code, service),
    }).catch((error: unknown) => error as Error);
    const entry = {
      transactionId,
      client,
      service: code,
      method: req.method ?? 'GET',
      path: match?.[2] ?? '/',
      ...(typeof req.headers.traceparent === 'string' ? { traceparent: req.headers.traceparent } : {}),
    };
    if (answer instanceof Error) {
      recorded.push({ ...entry, status: 502 });
      return refuse(res, 502, 'UPSTREAM_UNREACHABLE', `the platform could not reach service ${code}`);
    }
    const body = Buffer.from(await answer.body.arrayBuffer());
    recorded.push({ ...entry, status: answer.statusCode });
    const out: Record<string, string> = { [names.transaction]: transactionId };
    for (const [name, value] of Object.entries(answer.headers)) {
      if (NOT_FORWARDED.has(name) || value === undefined) continue;
      out[name] = Array.isArray(value) ? value.join(', ') : value;
    }
    res.writeHead(answer.statusCode, out);
    res.end(body);
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) refuse(res, 500, 'PLATFORM_ERROR', 'the platform failed');
      else res.destroy();
    });
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, host, resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://${host}:${port}${basePath}`;
  options.logger?.info({ url, platform: options.platform }, 'exchange platform simulator listening');
  return {
    url,
    exchanges: () => recorded,
    setDown: (value) => {
      down = value;
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.all([...agents.values()].map((agent) => agent.close()));
    },
  };
}
