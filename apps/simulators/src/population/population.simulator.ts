import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, Server } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { join } from 'node:path';
import { repoRoot } from '@lienthong/config';
import { AppLogger, createLogger } from '@lienthong/observability';
import { defaultPkiDir, DEV_PKI_NAMES, loadDevPki, XmlSignatureVerifier, XmlSigner } from '@lienthong/pki';
import { FaultSettingsError } from '../shared/fault-controls';
import type { Seed } from '../shared/prng';
import { createPopulationDataset, PopulationDataset } from './population.dataset';
import { PopulationFaults, PopulationFaultSettings } from './population.faults';
import { PopulationSoapService } from './population.soap-service';
import { POPULATION_FAULTS, POPULATION_SERVICE_PATH } from './population.wire';

/**
 * Stand-in for the National Population Database's citizen information service: SOAP 1.1 over HTTPS with
 * mutual TLS (a client certificate issued by the dev CA is required for every connection), requests and
 * responses signed with XML-DSig, a deterministic synthetic register, and fault controls. Plain Node
 * `https`: the simulator is on the benchmark's direct path, so it carries no framework.
 *
 * Routes (all on the TLS server):
 * - `POST /ws/congdan`            the SOAP endpoint (TraCuuThongTinCongDan, XacThucThongTinCongDan)
 * - `GET  /ws/congdan?wsdl`       the WSDL, `?xsd=csdlqg-dancu.xsd` its schema (contracts/upstream/population)
 * - `GET|POST|DELETE /__admin/faults`, `GET /__admin/stats`, `GET /health`
 */

export interface PopulationSimulatorOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Development PKI directory (default `var/pki`); create it with `lienthong pki init`. */
  pkiDir?: string;
  /** Seed of the synthetic register. */
  seed?: Seed;
  /** Number of citizens (default 300,000). */
  size?: number;
  logger?: AppLogger;
  /** PKI entry that signs the answers (default `population-signer`). */
  signerName?: string;
  /** Certificates whose request signatures are accepted (default: the PKI's `gateway` certificate). */
  trustedRequestSigners?: string[];
  /** Seed of the fault decisions. */
  faultSeed?: Seed;
  clock?: () => Date;
}

export interface PopulationSimulatorStats {
  requests: number;
  byOutcome: Record<string, number>;
  injected: { dropped: number; errors: number; malformed: number; badSignature: number; dripped: number };
}

export interface PopulationSimulator {
  /** Base URL, e.g. `https://127.0.0.1:41234` (no trailing slash). */
  url: string;
  /** The SOAP endpoint, `<url>/ws/congdan`. */
  serviceUrl: string;
  port: number;
  close(): Promise<void>;
  faults: PopulationFaults;
  dataset: PopulationDataset;
  stats(): PopulationSimulatorStats;
}

const MAX_BODY_BYTES = 64 * 1024;
const CONTRACT_DIR = ['contracts', 'upstream', 'population'];
const WSDL_FILE = 'csdlqg-dancu.wsdl';
const XSD_FILE = 'csdlqg-dancu.xsd';

export async function startPopulationSimulator(
  options: PopulationSimulatorOptions = {},
): Promise<PopulationSimulator> {
  const logger = options.logger ?? createLogger({ name: 'population-simulator' });
  const pki = loadDevPki(options.pkiDir ?? defaultPkiDir());
  const serverCert = pki.get(DEV_PKI_NAMES.populationSimulator);
  const signerEntry = pki.get(options.signerName ?? DEV_PKI_NAMES.populationSigner);
  const dataset = createPopulationDataset({ seed: options.seed, size: options.size });
  const faults = new PopulationFaults(options.faultSeed);
  const service = new PopulationSoapService(
    dataset,
    new XmlSigner({ privateKey: signerEntry.keyPem, certificatePem: signerEntry.certPem }),
    new XmlSignatureVerifier({
      trustedCertificates: options.trustedRequestSigners ?? [pki.get(DEV_PKI_NAMES.gateway).certPem],
    }),
    options.clock,
  );
  const contractDir = join(repoRoot(), ...CONTRACT_DIR);
  const wsdlTemplate = readFileSync(join(contractDir, WSDL_FILE), 'utf8');
  const xsd = readFileSync(join(contractDir, XSD_FILE), 'utf8');
  const stats: PopulationSimulatorStats = {
    requests: 0,
    byOutcome: {},
    injected: { dropped: 0, errors: 0, malformed: 0, badSignature: 0, dripped: 0 },
  };
  let serviceUrl = '';

  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    const query = q === -1 ? '' : url.slice(q + 1);

    if (path.startsWith('/__admin/')) {
      admin(req, res, path).catch((error: unknown) => failed(res, error));
      return;
    }
    if (path === '/health' && req.method === 'GET') {
      send(res, 200, 'application/json', JSON.stringify({ status: 'ok', size: dataset.size }));
      return;
    }
    if (path !== POPULATION_SERVICE_PATH) {
      send(res, 404, 'text/plain; charset=utf-8', 'not found');
      return;
    }
    if (req.method === 'GET') {
      if (query === 'wsdl' || query === 'WSDL') {
        const wsdl = wsdlTemplate
          .replace(/location="[^"]*"/, `location="${serviceUrl}"`)
          .replace(`schemaLocation="${XSD_FILE}"`, `schemaLocation="${serviceUrl}?xsd=${XSD_FILE}"`);
        send(res, 200, 'text/xml; charset=utf-8', wsdl);
      } else if (query === `xsd=${XSD_FILE}`) {
        send(res, 200, 'text/xml; charset=utf-8', xsd);
      } else {
        send(res, 404, 'text/plain; charset=utf-8', 'not found');
      }
      return;
    }
    if (req.method !== 'POST') {
      res.setHeader('allow', 'GET, POST');
      send(res, 405, 'text/plain; charset=utf-8', 'method not allowed');
      return;
    }
    soap(req, res, faults.appliesTo(path)).catch((error: unknown) => failed(res, error));
  };

  /** An unexpected error: logged (type only), answered 500 when nothing was sent yet. */
  function failed(res: ServerResponse, error: unknown): void {
    logger.error({ err: { type: (error as Error)?.name ?? 'Error' } }, 'population simulator request failed');
    if (res.headersSent) res.destroy();
    else send(res, 500, 'text/plain; charset=utf-8', 'internal error');
  }

  async function soap(req: IncomingMessage, res: ServerResponse, faultable: boolean): Promise<void> {
    stats.requests++;
    if (faultable && faults.isDown) {
      stats.injected.dropped++;
      req.socket.destroy();
      return;
    }
    const body = await readBody(req);
    const delay = faultable ? faults.delayMs() : 0;
    if (delay > 0) await sleep(delay);
    if (res.destroyed) return;
    let answer;
    if (body === null) {
      answer = service.fault(POPULATION_FAULTS.invalidInput, 'thông điệp quá lớn');
    } else if (faultable && faults.takeError()) {
      stats.injected.errors++;
      answer = service.fault(POPULATION_FAULTS.busy);
    } else {
      const action = req.headers.soapaction;
      answer = service.handle(body, Array.isArray(action) ? action[0] : action);
    }
    stats.byOutcome[answer.outcome] = (stats.byOutcome[answer.outcome] ?? 0) + 1;
    let xml = answer.body;
    if (faultable && answer.status === 200 && faults.takeBadSignature()) {
      stats.injected.badSignature++;
      xml = tamper(xml);
    }
    if (faultable && answer.status === 200 && faults.takeMalformed()) {
      stats.injected.malformed++;
      xml = xml.slice(0, Math.floor(xml.length / 2));
    }
    const drip = faultable ? faults.drip : null;
    if (drip) {
      stats.injected.dripped++;
      await sendSlowly(res, answer.status, xml, drip.chunkBytes, drip.intervalMs);
    } else {
      send(res, answer.status, 'text/xml; charset=utf-8', xml);
    }
  }

  async function admin(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    if (path === '/__admin/stats' && req.method === 'GET') {
      send(res, 200, 'application/json', JSON.stringify(stats));
      return;
    }
    if (path !== '/__admin/faults') {
      send(res, 404, 'application/json', JSON.stringify({ error: 'not_found' }));
      return;
    }
    if (req.method === 'GET') {
      send(res, 200, 'application/json', JSON.stringify(faults.state()));
    } else if (req.method === 'DELETE') {
      faults.clear();
      logger.info('population simulator faults cleared');
      res.writeHead(204).end();
    } else if (req.method === 'POST' || req.method === 'PUT') {
      const raw = await readBody(req);
      try {
        const state = faults.set(JSON.parse(raw ?? '') as PopulationFaultSettings);
        logger.info({ faults: state }, 'population simulator faults set');
        send(res, 200, 'application/json', JSON.stringify(state));
      } catch (error) {
        const message = error instanceof FaultSettingsError ? error.message : 'body must be a JSON object';
        send(res, 400, 'application/json', JSON.stringify({ error: 'invalid_faults', message }));
      }
    } else {
      res.setHeader('allow', 'GET, POST, PUT, DELETE');
      send(res, 405, 'application/json', JSON.stringify({ error: 'method_not_allowed' }));
    }
  }

  const server: Server = createServer(
    {
      key: serverCert.keyPem,
      cert: serverCert.certPem,
      ca: pki.ca.certPem,
      requestCert: true,
      rejectUnauthorized: true,
    },
    handler,
  );
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  faults.onDown(() => server.closeIdleConnections());

  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const url = `https://${host.includes(':') ? `[${host}]` : host}:${port}`;
  serviceUrl = `${url}${POPULATION_SERVICE_PATH}`;
  logger.info({ url: serviceUrl, size: dataset.size }, 'population simulator listening');

  return {
    url,
    serviceUrl,
    port,
    faults,
    dataset,
    stats: () => structuredClone(stats),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}

function send(res: ServerResponse, status: number, contentType: string, body: string): void {
  if (res.destroyed) return;
  const buffer = Buffer.from(body, 'utf8');
  res.writeHead(status, { 'content-type': contentType, 'content-length': buffer.length });
  res.end(buffer);
}

async function sendSlowly(
  res: ServerResponse,
  status: number,
  body: string,
  chunkBytes: number,
  intervalMs: number,
): Promise<void> {
  const buffer = Buffer.from(body, 'utf8');
  res.writeHead(status, { 'content-type': 'text/xml; charset=utf-8', 'content-length': buffer.length });
  for (let offset = 0; offset < buffer.length; offset += chunkBytes) {
    if (res.destroyed) return;
    if (offset > 0) await sleep(intervalMs);
    res.write(buffer.subarray(offset, offset + chunkBytes));
  }
  res.end();
}

/** The request body as text, or null when it exceeds the limit. */
function readBody(req: IncomingMessage): Promise<string | null> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(tooLarge ? null : Buffer.concat(chunks).toString('utf8')));
    req.on('error', () => resolve(null));
  });
}

/** Changes the signed content without re-signing: the citizen's name if there is one, else the timestamp. */
function tamper(xml: string): string {
  if (/<HoVaTen>[^<]*<\/HoVaTen>/.test(xml)) {
    return xml.replace(/<HoVaTen>([^<]*)<\/HoVaTen>/, (_m, name: string) => `<HoVaTen>${name}h</HoVaTen>`);
  }
  return xml.replace(
    /<ThoiGianTraLoi>[0-9]+<\/ThoiGianTraLoi>/,
    '<ThoiGianTraLoi>19700101000000</ThoiGianTraLoi>',
  );
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
