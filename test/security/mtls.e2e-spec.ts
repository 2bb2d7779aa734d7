/**
 * Mutual TLS for callers, against the running gateway with the real tools: curl and openssl s_client on
 * the gateway's HTTPS port, and a real nginx terminating TLS in front of its plain port and forwarding the
 * caller's certificate in X-SSL-Client-Cert.
 *
 * The gateway asks every caller for a certificate but lets the handshake complete without one, or with one
 * it cannot verify (API-key clients and pinned self-signed certificates must still get in): an unknown
 * certificate is therefore refused after the handshake, with 401 problem+json `INVALID_CREDENTIALS`.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { dump } from 'js-yaml';
import { RunningGateway, startGateway } from '../../apps/gateway/src/bootstrap';
import { freePort } from '../../deploy/local/kafka/local-kafka';
import { createDevPki, DevPkiEntry, issueCertificate } from '../../libs/pki/src';
import { generateApiKey, hashApiKey } from '../../libs/security/src';
import { createIsolatedDatabase, IsolatedDatabase } from '../support/database';
import { testEnv, waitFor } from '../support/http';

const run = promisify(execFile);

const AGENCY = '000.17.22.H56';
const CLIENT_CN = 'motcua-e2e.laocai.gov.vn';
const CLIENT_UNIT = 'one-stop system (e2e)';
/** The subject as the dev CA writes it (attribute order does not matter to the registry). */
const CLIENT_SUBJECT = `CN=${CLIENT_CN},OU=${CLIENT_UNIT},O=Lien Thong (development),C=VN`;
const API_KEY = generateApiKey();

interface CurlAnswer {
  status: number;
  contentType: string;
  body: any;
}

/** One request with curl; `args` carry the TLS options. Exit codes other than 0 reject. */
async function curl(url: string, args: string[], body?: unknown): Promise<CurlAnswer> {
  const marker = `\n--${randomUUID()}--\n`;
  const { stdout } = await run(
    'curl',
    [
      '--silent',
      '--show-error',
      '--max-time',
      '15',
      '--write-out',
      `${marker}%{http_code} %{content_type}`,
      ...(body === undefined
        ? []
        : ['-X', 'POST', '-H', 'content-type: application/json', '--data', JSON.stringify(body)]),
      ...args,
      url,
    ],
    { timeout: 20_000 },
  );
  const [text, trailer] = stdout.split(marker);
  const [status, contentType = ''] = trailer.split(' ');
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: Number(status), contentType, body: parsed };
}

const withCertificate = (entry: DevPkiEntry, ca: string) => [
  '--cert',
  entry.certPath,
  '--key',
  entry.keyPath,
  '--cacert',
  ca,
];

function event(dossier: string, status: string, minutesAgo: number) {
  return {
    eventId: randomUUID(),
    dossierCode: dossier,
    agencyCode: AGENCY,
    procedureCode: '1.001193',
    status,
    occurredAt: new Date(Date.now() - minutesAgo * 60_000).toISOString(),
    channel: 'ONLINE',
    applicant: { kind: 'CITIZEN', personalId: '001090012345' },
  };
}

function dossierCode(): string {
  return `${AGENCY}-261122-${String(Math.floor(Math.random() * 9000) + 1000)}`;
}

function clientsDocument() {
  return {
    version: 1,
    purposes: {
      DOSSIER_PROCESSING: {
        description: { vi: 'Giải quyết hồ sơ', en: 'Dossier processing' },
        legalBasis: 'Nghị định 61/2018/NĐ-CP',
        requiresDossierCode: true,
      },
    },
    clients: [
      {
        id: 'motcua-e2e',
        name: 'Một cửa (e2e, client certificate)',
        kind: 'ONE_STOP_SYSTEM',
        enabled: true,
        agencies: [AGENCY],
        certificates: [{ subject: CLIENT_SUBJECT }],
        rateLimit: { requestsPerMinute: 600, burst: 50 },
        services: { 'dossier.events': {} },
      },
      {
        id: 'apikey-e2e',
        name: 'Một cửa (e2e, API key)',
        kind: 'ONE_STOP_SYSTEM',
        enabled: true,
        agencies: [AGENCY],
        apiKeys: [{ id: 'k1', sha256: hashApiKey(API_KEY) }],
        rateLimit: { requestsPerMinute: 600, burst: 50 },
        services: { 'dossier.events': {} },
      },
    ],
  };
}

describe('mutual TLS for callers', () => {
  let work: string;
  let database: IsolatedDatabase;
  let gateway: RunningGateway;
  let caFile: string;
  let registered: DevPkiEntry;
  let sameCaStranger: DevPkiEntry;
  let otherCaSameSubject: DevPkiEntry;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'lienthong-mtls-'));
    const pki = createDevPki(join(work, 'pki'), { agencies: [] });
    caFile = pki.ca.certPath;
    registered = issueCertificate(pki.dir, 'motcua-e2e', {
      usage: 'client',
      commonName: CLIENT_CN,
      organizationalUnit: CLIENT_UNIT,
    }).entry;
    sameCaStranger = issueCertificate(pki.dir, 'stranger', { usage: 'client' }).entry;
    // Another CA issuing a certificate with exactly the registered subject: only the chain tells them apart.
    const other = createDevPki(join(work, 'other-pki'), { agencies: [] });
    otherCaSameSubject = issueCertificate(other.dir, 'motcua-e2e', {
      usage: 'client',
      commonName: CLIENT_CN,
      organizationalUnit: CLIENT_UNIT,
    }).entry;

    const clientsFile = join(work, 'clients.yaml');
    writeFileSync(clientsFile, dump(clientsDocument()));
    database = await createIsolatedDatabase('mtls');
    gateway = await startGateway({
      env: testEnv({
        DATABASE_URL: database.url,
        CLIENTS_FILE: clientsFile,
        PKI_DIR: pki.dir,
        GATEWAY_TLS_CERT_FILE: pki.get('gateway-server').certPath,
        GATEWAY_TLS_KEY_FILE: pki.get('gateway-server').keyPath,
        GATEWAY_TLS_CLIENT_CA_FILE: caFile,
        GATEWAY_TLS_PORT: '0',
        // nginx below connects from 127.0.0.1; 127.0.0.2 stands for any other host.
        GATEWAY_TRUSTED_PROXIES: '127.0.0.1/32',
      }),
    });
  }, 90_000);

  afterAll(async () => {
    await gateway?.close();
    await database?.drop().catch(() => undefined);
    rmSync(work, { recursive: true, force: true });
  });

  describe('on the HTTPS port', () => {
    it('serves a certificate-bound client end to end: curl --cert posts an event and reads the dossier', async () => {
      const code = dossierCode();
      const https = gateway.httpsUrl as string;
      expect(https).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      const posted = await curl(
        `${https}/v1/dossier-events`,
        withCertificate(registered, caFile),
        event(code, 'SUBMITTED', 5),
      );
      expect(posted.status).toBe(202);
      const read = await curl(`${https}/v1/dossiers/${code}`, withCertificate(registered, caFile));
      expect(read.status).toBe(200);
      expect(read.body).toMatchObject({ dossierCode: code, agencyCode: AGENCY, status: 'SUBMITTED' });
    });

    it('lets an API-key client without a certificate in', async () => {
      const code = dossierCode();
      const posted = await curl(
        `${gateway.httpsUrl}/v1/dossier-events`,
        ['--cacert', caFile, '-H', `authorization: Bearer ${API_KEY}`],
        event(code, 'SUBMITTED', 5),
      );
      expect(posted.status).toBe(202);
    });

    it.each([
      ['issued by the same CA but not registered', () => sameCaStranger],
      ['issued by another CA with the registered subject', () => otherCaSameSubject],
    ])('refuses a certificate %s with 401 problem+json INVALID_CREDENTIALS', async (_what, certificate) => {
      const answer = await curl(
        `${gateway.httpsUrl}/v1/dossiers/${dossierCode()}`,
        withCertificate(certificate(), caFile),
      );
      expect(answer.status).toBe(401);
      expect(answer.contentType).toMatch(/^application\/problem\+json/);
      expect(answer.body.code).toBe('INVALID_CREDENTIALS');
    });

    it('refuses a caller with neither certificate nor key with 401 UNAUTHENTICATED', async () => {
      const answer = await curl(`${gateway.httpsUrl}/v1/dossiers/${dossierCode()}`, ['--cacert', caFile]);
      expect(answer.status).toBe(401);
      expect(answer.body.code).toBe('UNAUTHENTICATED');
    });

    it('asks for a client certificate of its CA in the handshake (openssl s_client) and serves the registered one', async () => {
      const code = dossierCode();
      await curl(
        `${gateway.httpsUrl}/v1/dossier-events`,
        withCertificate(registered, caFile),
        event(code, 'SUBMITTED', 5),
      );
      const { hostname: host, port } = new URL(gateway.httpsUrl as string);
      const output = await sClient(
        [
          '-connect',
          `${host}:${port}`,
          '-CAfile',
          caFile,
          '-cert',
          registered.certPath,
          '-key',
          registered.keyPath,
          '-verify_return_error',
          '-ign_eof',
        ],
        `GET /v1/dossiers/${code} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`,
      );
      expect(output).toContain('Acceptable client certificate CA names');
      expect(output).toMatch(/CN ?= ?Lien Thong Development CA/);
      expect(output).toContain('Verify return code: 0 (ok)');
      expect(output).toMatch(/HTTP\/1\.1 200 OK[\s\S]*"status":"SUBMITTED"/);
    });
  });

  describe('behind a TLS-terminating proxy', () => {
    let nginx: ChildProcess | undefined;
    let proxyUrl: string;

    beforeAll(async () => {
      const dir = join(work, 'nginx');
      mkdirSync(join(dir, 'logs'), { recursive: true });
      const port = await freePort();
      proxyUrl = `https://127.0.0.1:${port}`;
      const pki = join(work, 'pki');
      writeFileSync(
        join(dir, 'nginx.conf'),
        [
          'daemon off;',
          'worker_processes 1;',
          `pid ${join(dir, 'nginx.pid')};`,
          `error_log ${join(dir, 'logs', 'error.log')} warn;`,
          'events { worker_connections 64; }',
          'http {',
          `  access_log off;`,
          `  client_body_temp_path ${join(dir, 'body')};`,
          `  proxy_temp_path ${join(dir, 'proxy')};`,
          '  server {',
          `    listen 127.0.0.1:${port} ssl;`,
          `    ssl_certificate ${join(pki, 'gateway-server.crt')};`,
          `    ssl_certificate_key ${join(pki, 'gateway-server.key')};`,
          `    ssl_client_certificate ${caFile};`,
          '    ssl_verify_client optional;',
          '    location / {',
          `      proxy_pass ${gateway.url};`,
          '      proxy_bind 127.0.0.1;',
          '      proxy_set_header X-SSL-Client-Cert $ssl_client_escaped_cert;',
          '    }',
          '  }',
          '}',
        ].join('\n'),
      );
      nginx = spawn('nginx', ['-p', dir, '-c', join(dir, 'nginx.conf')], { stdio: 'ignore' });
      await waitFor(
        async () => {
          if (nginx?.exitCode !== null) {
            throw new Error(`nginx exited: ${readFileSync(join(dir, 'logs', 'error.log'), 'utf8')}`);
          }
          return (await curl(`${proxyUrl}/health/live`, ['--cacert', caFile])).status === 200;
        },
        20_000,
        'nginx to proxy to the gateway',
      );
    }, 30_000);

    afterAll(async () => {
      if (nginx && nginx.exitCode === null) {
        const exited = new Promise((resolve) => nginx!.once('exit', resolve));
        nginx.kill('SIGQUIT');
        await exited;
      }
    });

    it('authenticates the caller by the certificate nginx forwards from a trusted proxy address', async () => {
      const code = dossierCode();
      const posted = await curl(
        `${proxyUrl}/v1/dossier-events`,
        withCertificate(registered, caFile),
        event(code, 'SUBMITTED', 5),
      );
      expect(posted.status).toBe(202);
      const read = await curl(`${proxyUrl}/v1/dossiers/${code}`, withCertificate(registered, caFile));
      expect(read.status).toBe(200);
      expect(read.body.dossierCode).toBe(code);
    });

    it("replaces a caller's own X-SSL-Client-Cert at the proxy, so a caller without a certificate cannot name one", async () => {
      const answer = await curl(`${proxyUrl}/v1/dossiers/${dossierCode()}`, [
        '--cacert',
        caFile,
        '-H',
        `X-SSL-Client-Cert: ${encodeURIComponent(registered.certPem)}`,
      ]);
      expect(answer.status).toBe(401);
      expect(answer.body.code).toBe('UNAUTHENTICATED');
    });

    it('refuses the forwarding header from an address that is not a trusted proxy', async () => {
      const forged = encodeURIComponent(registered.certPem);
      const fromTrusted = await curl(`${gateway.url}/v1/dossiers/${dossierCode()}`, [
        '--interface',
        '127.0.0.1',
        '-H',
        `X-SSL-Client-Cert: ${forged}`,
      ]);
      // From the proxy address the certificate counts (no such dossier, but the caller is known) ...
      expect(fromTrusted.status).toBe(404);
      const fromElsewhere = await curl(`${gateway.url}/v1/dossiers/${dossierCode()}`, [
        '--interface',
        '127.0.0.2',
        '-H',
        `X-SSL-Client-Cert: ${forged}`,
      ]);
      // ... from any other address the header is refused, even with a registered certificate in it.
      expect(fromElsewhere.status).toBe(401);
      expect(fromElsewhere.contentType).toMatch(/^application\/problem\+json/);
      expect(fromElsewhere.body.code).toBe('INVALID_CREDENTIALS');
      expect(fromElsewhere.body.detail).toMatch(/trusted proxies/);
    });

    it('verifies a forwarded certificate against the client CA even from the proxy address', async () => {
      const answer = await curl(`${gateway.url}/v1/dossiers/${dossierCode()}`, [
        '--interface',
        '127.0.0.1',
        '-H',
        `X-SSL-Client-Cert: ${encodeURIComponent(otherCaSameSubject.certPem)}`,
      ]);
      expect(answer.status).toBe(401);
      expect(answer.body.code).toBe('INVALID_CREDENTIALS');
      expect(answer.body.detail).toMatch(/client CA/);
    });
  });
});

/** Runs `openssl s_client` with `input` on its standard input; resolves with everything it printed. */
function sClient(args: string[], input: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('openssl', ['s_client', ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.once('error', reject);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(output);
    });
    child.stdin.end(input);
  });
}
