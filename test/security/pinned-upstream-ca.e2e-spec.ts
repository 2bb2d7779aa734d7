/**
 * A pinned upstream CA (`*_CA_PATH`) is what each upstream client trusts: against a real HTTPS server whose
 * certificate the dev CA issued, a client pinned to that CA reaches the server, and a client pinned to
 * another CA never sends it a request (the handshake fails first).
 */
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BusinessRegistryClient } from '../../libs/adapters/business-registry/src';
import { LandClient } from '../../libs/adapters/land/src';
import { OperationsCenterClient } from '../../libs/adapters/operations-center/src';
import { PublicServicePortalClient } from '../../libs/adapters/public-service-portal/src';
import { createDevPki } from '../../libs/pki/src';

interface Pinned {
  /** One call of the client, whatever its answer. */
  call(): Promise<unknown>;
  close(): Promise<void>;
}

const QUICK = { timeoutMs: 2000, retries: 0 };

const CLIENTS: Record<string, (url: string, ca: string) => Pinned> = {
  'business registry': (url, ca) => {
    const client = new BusinessRegistryClient({
      baseUrl: url,
      clientId: 'pin',
      clientSecret: 'pin-secret-0123456789',
      ca,
      resilience: QUICK,
    });
    return {
      call: () => client.lookupEnterprise('0101234567', { requestId: 'pin' }),
      close: () => client.close(),
    };
  },
  land: (url, ca) => {
    const client = new LandClient({ baseUrl: url, ca, resilience: QUICK });
    return {
      call: () => client.lookupByCertificate('CS 01234', { requestId: 'pin' }),
      close: () => client.close(),
    };
  },
  'operations center': (url, ca) => {
    const client = new OperationsCenterClient({
      baseUrl: url,
      clientId: 'pin',
      clientSecret: 'pin-secret-0123456789',
      ca,
      resilience: QUICK,
    });
    return { call: () => client.ping({ requestId: 'pin' }), close: () => client.close() };
  },
  portal: (url, ca) => {
    const client = new PublicServicePortalClient({
      baseUrl: url,
      username: 'pin',
      password: 'pin-password-0123456789',
      unitCode: '000.00.00.H56',
      dstcode: 'DVCQG',
      ca,
      resilience: QUICK,
    });
    return { call: () => client.ping(), close: () => client.close() };
  },
};

describe('pinned upstream CAs', () => {
  let work: string;
  let server: Server;
  let url: string;
  let devCa: string;
  let otherCa: string;
  let requests = 0;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'lienthong-pinned-ca-'));
    const pki = createDevPki(join(work, 'pki'), { agencies: [] });
    devCa = pki.ca.certPem;
    otherCa = createDevPki(join(work, 'other'), { agencies: [] }).ca.certPem;
    server = createServer(
      { cert: pki.get('population-sim').certPem, key: pki.get('population-sim').keyPem },
      (_request, response) => {
        requests += 1;
        response.writeHead(503, { 'content-type': 'application/json' }).end('{}');
      },
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    rmSync(work, { recursive: true, force: true });
  });

  it.each(Object.keys(CLIENTS))('the %s client reaches a server of its pinned CA only', async (name) => {
    const trusting = CLIENTS[name](url, devCa);
    const before = requests;
    await trusting.call().catch(() => undefined);
    await trusting.close();
    expect(requests).toBeGreaterThan(before);

    const pinnedElsewhere = CLIENTS[name](url, otherCa);
    const after = requests;
    await expect(pinnedElsewhere.call()).rejects.toBeDefined();
    await pinnedElsewhere.close();
    expect(requests).toBe(after);
  });
});
