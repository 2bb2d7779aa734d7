import { mkdtempSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, IncomingMessage, Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import type { Dispatcher } from 'undici';
import { createDevPki, DEV_PKI_NAMES, DevPkiMaterial } from '@lienthong/pki';
import { useNock } from './load-nock';
import { NodeHttpDispatcher } from './node-http-dispatcher';

/**
 * The dispatcher against nock (what the adapter specs rely on) and against real loopback servers (TLS with a
 * client certificate, a connection really closed on abort).
 */
const nock = useNock();
const ORIGIN = 'http://upstream.test';

async function rejection(promise: Promise<unknown>): Promise<Error & { code?: string }> {
  try {
    await promise;
  } catch (error) {
    return error as Error & { code?: string };
  }
  throw new Error('expected the request to fail');
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)),
  );
}

function stop(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

describe('NodeHttpDispatcher', () => {
  let dispatcher: NodeHttpDispatcher;

  beforeEach(() => {
    dispatcher = new NodeHttpDispatcher();
  });
  afterEach(() => dispatcher.destroy());

  describe('through nock', () => {
    it('delivers status, headers (repeated ones as a list) and body', async () => {
      const scope = nock(ORIGIN)
        .get('/a/b?x=1')
        .reply(201, 'Xin chào', {
          'content-type': 'text/plain; charset=utf-8',
          'set-cookie': ['a=1', 'b=2'],
          'x-upstream': 'dat-dai',
        });
      const response = await dispatcher.request({ origin: ORIGIN, path: '/a/b?x=1', method: 'GET' });
      expect(response.statusCode).toBe(201);
      expect(response.headers['content-type']).toBe('text/plain; charset=utf-8');
      expect(response.headers['set-cookie']).toEqual(['a=1', 'b=2']);
      expect(response.headers['x-upstream']).toBe('dat-dai');
      expect(await response.body.text()).toBe('Xin chào');
      expect(scope.isDone()).toBe(true);
      expect(dispatcher.pending).toBe(0);
    });

    it('sends method, path with query, headers in every undici form, and a string body', async () => {
      const seen: { headers: IncomingMessage['headers']; body: string; path: string }[] = [];
      nock(ORIGIN)
        .post(/^\/submit/)
        .times(3)
        .reply(function (path, body) {
          seen.push({ headers: this.req.headers, body: String(body), path });
          return [204];
        });
      const body = '<Tải dữ="liệu"/>';
      const send = async (options: Omit<Dispatcher.RequestOptions, 'origin' | 'path' | 'method'>) => {
        const response = await dispatcher.request({
          origin: ORIGIN,
          path: '/submit',
          method: 'POST',
          ...options,
        });
        await response.body.dump();
      };
      await send({
        query: { a: 'b c' },
        headers: { 'Content-Type': 'text/xml', soapaction: '"urn:x#Op"' },
        body,
      });
      await send({
        headers: ['x-one', '1', 'x-two', '2'],
        body: Buffer.from(body),
      });
      await send({
        headers: new Map([['x-three', '3']]),
        body: (function* () {
          yield Buffer.from('<Tải ');
          yield 'dữ="liệu"/>';
        })() as unknown as Buffer,
      });
      expect(seen.map((s) => s.path)).toEqual(['/submit?a=b+c', '/submit', '/submit']);
      expect(seen.map((s) => s.body)).toEqual([body, body, body]);
      expect(seen[0].headers).toMatchObject({
        'content-type': 'text/xml',
        soapaction: '"urn:x#Op"',
        'content-length': String(Buffer.byteLength(body)),
      });
      expect(seen[1].headers).toMatchObject({ 'x-one': '1', 'x-two': '2' });
      expect(seen[2].headers).toMatchObject({ 'x-three': '3' });
    });

    it('streams a large body with back-pressure', async () => {
      const large = 'đ'.repeat(600_000);
      nock(ORIGIN).get('/large').reply(200, large);
      const response = await dispatcher.request({
        origin: ORIGIN,
        path: '/large',
        method: 'GET',
        highWaterMark: 1024,
      });
      expect(await response.body.text()).toBe(large);
    });

    it('passes a transport error on with its code', async () => {
      nock(ORIGIN)
        .get('/reset')
        .replyWithError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
      const error = await rejection(dispatcher.request({ origin: ORIGIN, path: '/reset', method: 'GET' }));
      expect(error.code).toBe('ECONNRESET');
      expect(dispatcher.pending).toBe(0);
    });

    it('fails a request nock does not expect when the network is disabled', async () => {
      const error = await rejection(
        dispatcher.request({ origin: 'http://elsewhere.test', path: '/', method: 'GET' }),
      );
      expect(error.code).toBe('ENETUNREACH');
    });

    it('aborts a request whose signal times out, and reports the abort reason', async () => {
      const scope = nock(ORIGIN).get('/slow').delay(2_000).reply(200, 'late');
      const started = performance.now();
      const error = await rejection(
        dispatcher.request({
          origin: ORIGIN,
          path: '/slow',
          method: 'GET',
          signal: AbortSignal.timeout(100),
        }),
      );
      expect(error.name).toBe('TimeoutError');
      expect(performance.now() - started).toBeLessThan(1_500);
      expect(scope.isDone()).toBe(true);
      expect(dispatcher.pending).toBe(0);
    });

    it('sends nothing when the signal is already aborted', async () => {
      const scope = nock(ORIGIN).get('/never').reply(200, 'x');
      const controller = new AbortController();
      controller.abort(new Error('gone'));
      const error = await rejection(
        dispatcher.request({ origin: ORIGIN, path: '/never', method: 'GET', signal: controller.signal }),
      );
      expect(error.message).toBe('gone');
      expect(scope.isDone()).toBe(false);
      nock.cleanAll();
    });

    it('aborts while the body is being read', async () => {
      let sent = 0;
      const drip = new Readable({
        read() {
          sent++;
          setTimeout(() => this.push(sent < 100 ? 'x' : null), 50);
        },
      });
      nock(ORIGIN)
        .get('/drip')
        .reply(200, () => drip);
      const controller = new AbortController();
      const response = await dispatcher.request({
        origin: ORIGIN,
        path: '/drip',
        method: 'GET',
        signal: controller.signal,
      });
      setTimeout(() => controller.abort(new Error('enough')), 100);
      const error = await rejection(response.body.text());
      expect(error.message).toBe('enough');
      expect(sent).toBeLessThan(100);
      expect(dispatcher.pending).toBe(0);
      drip.destroy();
    });

    it("applies headersTimeout and the response size limit as undici's errors", async () => {
      nock(ORIGIN).get('/slow').delay(2_000).reply(200, 'late');
      const timeout = await rejection(
        dispatcher.request({ origin: ORIGIN, path: '/slow', method: 'GET', headersTimeout: 100 }),
      );
      expect(timeout.code).toBe('UND_ERR_HEADERS_TIMEOUT');

      const limited = new NodeHttpDispatcher({ maxResponseBytes: 10 });
      nock(ORIGIN).get('/big').reply(200, 'x'.repeat(100));
      const tooLarge = await rejection(
        limited.request({ origin: ORIGIN, path: '/big', method: 'GET' }).then((r) => r.body.text()),
      );
      expect(tooLarge.code).toBe('UND_ERR_RES_EXCEEDED_MAX_SIZE');
      await limited.close();
    });

    it('refuses requests once closed', async () => {
      await dispatcher.close();
      const error = await rejection(dispatcher.request({ origin: ORIGIN, path: '/', method: 'GET' }));
      expect(error.code).toBe('UND_ERR_CLOSED');
    });
  });

  describe('on loopback servers', () => {
    let dir: string;
    let pki: DevPkiMaterial;

    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'lgsp-node-http-dispatcher-'));
      pki = createDevPki(dir, { agencies: [] });
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('closes the connection when the request is aborted', async () => {
      const closed = new Promise<void>((resolve) => {
        const server = createHttpServer((req) => req.on('close', resolve));
        void listen(server).then((port) =>
          dispatcher
            .request({
              origin: `http://127.0.0.1:${port}`,
              path: '/hang',
              method: 'GET',
              signal: AbortSignal.timeout(100),
            })
            .catch(() => undefined)
            .finally(() => setTimeout(() => void stop(server), 50)),
        );
      });
      await expect(closed).resolves.toBeUndefined();
      expect(dispatcher.pending).toBe(0);
    });

    it('presents the client certificate and checks the server against the given CA', async () => {
      const serverEntry = pki.get(DEV_PKI_NAMES.populationSimulator);
      const server = createHttpsServer(
        {
          key: serverEntry.keyPem,
          cert: serverEntry.certPem,
          ca: pki.ca.certPem,
          requestCert: true,
          rejectUnauthorized: true,
        },
        (req, res) => {
          const peer = (req.socket as TLSSocket).getPeerCertificate();
          res.end(peer.subject.OU);
        },
      );
      const port = await listen(server);
      try {
        const gateway = pki.get(DEV_PKI_NAMES.gateway);
        const mutual = new NodeHttpDispatcher({
          tls: { key: gateway.keyPem, cert: gateway.certPem, ca: pki.ca.certPem, servername: 'localhost' },
        });
        const response = await mutual.request({
          origin: `https://127.0.0.1:${port}`,
          path: '/',
          method: 'GET',
        });
        expect(await response.body.text()).toBe('provincial integration gateway');
        await mutual.close();

        const untrusting = new NodeHttpDispatcher({
          tls: { key: gateway.keyPem, cert: gateway.certPem, servername: 'localhost' },
        });
        const error = await rejection(
          untrusting.request({ origin: `https://127.0.0.1:${port}`, path: '/', method: 'GET' }),
        );
        expect(error.code).toMatch(/CERT|SIGNATURE|ISSUER/);
        await untrusting.destroy();
      } finally {
        await stop(server);
      }
    });
  });
});
