import { lookup } from 'node:dns/promises';
import { Agent as HttpsAgent } from 'node:https';
import { isIP, connect as tcpConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type DetailedPeerCertificate, type TLSSocket } from 'node:tls';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { OAuth2TokenProvider } from '@lienthong/adapters/business-registry';
import { UpstreamError, type UpstreamAdapter, type UpstreamErrorKind } from '@lienthong/adapters/common';
import { AuditLog, upstreamFailures } from '@lienthong/audit';
import { ProblemException } from '@lienthong/observability';
import type { Caller } from '@lienthong/security';
import { Database } from '@lienthong/storage';
import { LookupUpstreams, type UpstreamTarget } from '../lookups/lookup-upstreams';
import { CONSOLE_UPSTREAMS, type ConsoleUpstream } from './console-overview';

export type StepName = 'dns' | 'tcp' | 'tls' | 'authentication' | 'call';
export type StepStatus = 'ok' | 'failed' | 'skipped';

export interface CertificateView {
  subject: string;
  issuer: string;
  validTo: string;
  daysToExpiry: number;
}

export interface DiagnosticStep {
  step: StepName;
  title: string;
  status: StepStatus;
  detail: string;
  durationMs: number;
  /** The TLS step: the upstream's certificate chain, leaf first. */
  certificates?: CertificateView[];
}

export interface ConnectionCheck {
  upstream: ConsoleUpstream;
  /** The upstream's origin (scheme, host, port): no path, no credentials. */
  origin: string;
  at: string;
  ok: boolean;
  steps: DiagnosticStep[];
}

export interface FailureReason {
  code: string;
  count: number;
  lastAt: string;
}

export interface UpstreamDetail {
  name: ConsoleUpstream;
  title: string;
  /** Whether this process calls the upstream, so that "check connection" can test it from here. */
  checkable: boolean;
  origin: string | null;
  authentication: UpstreamTarget['authentication'] | null;
  /** Failed exchanges with the upstream over the last hour, by reason (from the audit log), most first. */
  failures: FailureReason[];
  failureWindowMinutes: number;
}

const TITLES: Record<StepName, string> = {
  dns: 'DNS',
  tcp: 'TCP connection',
  tls: 'TLS',
  authentication: 'Authentication',
  call: 'Harmless call',
};
const STEP_TIMEOUT_MS = 5_000;
const FAILURE_WINDOW_MINUTES = 60;
/** The connection check's own audit service name (kept out of the upstream's failures). */
export const CHECK_SERVICE = 'console.check-connection';

class StepFailure extends Error {}

function days(validTo: string, now: number): number {
  return Math.floor((Date.parse(validTo) - now) / 86_400_000);
}

function nameOf(part: Record<string, string | string[] | undefined> | undefined): string {
  if (!part) return '';
  const value = part.CN ?? part.O ?? Object.values(part)[0];
  return Array.isArray(value) ? value.join(', ') : (value ?? '');
}

/** The peer's chain, leaf first, as far as the socket knows it (a self-signed root ends the walk). */
function chainOf(peer: DetailedPeerCertificate, now: number): CertificateView[] {
  const chain: CertificateView[] = [];
  const seen = new Set<string>();
  let current: DetailedPeerCertificate | undefined = peer;
  while (current && current.fingerprint256 && !seen.has(current.fingerprint256)) {
    seen.add(current.fingerprint256);
    chain.push({
      subject: nameOf(current.subject as unknown as Record<string, string>),
      issuer: nameOf(current.issuer as unknown as Record<string, string>),
      validTo: new Date(current.valid_to).toISOString(),
      daysToExpiry: days(current.valid_to, now),
    });
    current = current.issuerCertificate;
  }
  return chain;
}

function withTimeout<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new StepFailure(`${what}: no answer within ${STEP_TIMEOUT_MS} ms`)),
        STEP_TIMEOUT_MS,
      );
    }),
  ]).finally(() => clearTimeout(timer));
}

/** An adapter failure as the call step reports it: its stable code and message (never a request value). */
function codeOf(error: unknown): string {
  return (error as { code?: string })?.code ?? (error as Error)?.name ?? 'ERROR';
}

/** The kind of an adapter's error (the same for every adapter), or undefined for any other failure. */
function kindOf(error: unknown): UpstreamErrorKind | undefined {
  return error instanceof UpstreamError ? error.kind : undefined;
}

/**
 * The upstream detail page and its "check connection" action (like X-Road's connection diagnostics): DNS,
 * TCP, TLS (chain verified against the configured CA, days to expiry of each certificate), authentication as
 * that upstream does it (mutual TLS and signed messages, OAuth2 client credentials, an API key) and one
 * harmless call through the gateway's own adapter (its `diagnose`: an identifier no one holds, so "not found"
 * passes). A step
 * that fails stops the check; the rest are skipped. Each check is an audit record of the operator.
 */
@Injectable()
export class ConsoleDiagnostics {
  constructor(
    @Inject(LookupUpstreams) private readonly upstreams: LookupUpstreams,
    @Inject(AuditLog) private readonly audit: AuditLog,
    @Inject(Database) private readonly database: Database,
  ) {}

  async detail(name: string): Promise<UpstreamDetail> {
    const upstream = this.known(name);
    const target = this.target(upstream.name);
    const failures = await upstreamFailures(this.database, upstream.name, {
      excludeService: CHECK_SERVICE,
      windowMinutes: FAILURE_WINDOW_MINUTES,
    });
    return {
      name: upstream.name,
      title: upstream.title,
      checkable: target !== undefined,
      origin: target ? new URL(target.url).origin : null,
      authentication: target?.authentication ?? null,
      failures: failures.map((failure) => ({
        code: failure.code,
        count: failure.count,
        lastAt: failure.lastAt.toISOString(),
      })),
      failureWindowMinutes: FAILURE_WINDOW_MINUTES,
    };
  }

  /** Runs the check and records it (service console.check-connection) under the signed-in client. */
  async check(name: string, caller: Caller, requestId: string): Promise<ConnectionCheck> {
    const upstream = this.known(name);
    const target = this.target(upstream.name);
    if (!target) {
      throw new ProblemException(
        409,
        'UPSTREAM_NOT_CHECKABLE',
        'Upstream not called by the gateway',
        `The gateway does not call ${upstream.title} (${upstream.name}) from this process: it is not configured here, or the relay calls it.`,
      );
    }
    const started = Date.now();
    const steps = await this.run(target, requestId);
    const failed = steps.find((s) => s.status === 'failed');
    await this.audit.recordAndWait({
      requestId,
      clientId: caller.clientId,
      credentialId: caller.credentialId,
      service: CHECK_SERVICE,
      upstream: upstream.name as UpstreamTarget['name'],
      subject: { kind: 'NONE' },
      outcome: failed ? 'UPSTREAM_ERROR' : 'OK',
      ...(failed ? { outcomeCode: `${failed.step.toUpperCase()}_FAILED` } : {}),
      upstreamLatencyMs: Date.now() - started,
    });
    return {
      upstream: upstream.name,
      origin: new URL(target.url).origin,
      at: new Date(started).toISOString(),
      ok: !failed,
      steps,
    };
  }

  private known(name: string) {
    const upstream = CONSOLE_UPSTREAMS.find((u) => u.name === name);
    if (!upstream) {
      throw new ProblemException(
        404,
        'UPSTREAM_UNKNOWN',
        'No such upstream',
        'Not one of the five upstreams.',
      );
    }
    return upstream;
  }

  private target(name: ConsoleUpstream): UpstreamTarget | undefined {
    return this.upstreams.targets().find((t) => t.name === name);
  }

  private async run(target: UpstreamTarget, requestId: string): Promise<DiagnosticStep[]> {
    const url = new URL(target.url);
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
    const steps: DiagnosticStep[] = [];
    let address = host;
    let callFailure: unknown;

    const step = async (
      name: StepName,
      body: () => Promise<Omit<DiagnosticStep, 'step' | 'title' | 'durationMs'>>,
    ) => {
      const earlier = steps.find((s) => s.status === 'failed');
      if (earlier) {
        steps.push({
          step: name,
          title: TITLES[name],
          status: 'skipped',
          detail: `Not tried: the ${TITLES[earlier.step]} step failed.`,
          durationMs: 0,
        });
        return;
      }
      const at = Date.now();
      try {
        steps.push({ step: name, title: TITLES[name], ...(await body()), durationMs: Date.now() - at });
      } catch (error) {
        steps.push({
          step: name,
          title: TITLES[name],
          status: 'failed',
          detail: (error as Error).message,
          durationMs: Date.now() - at,
        });
      }
    };

    await step('dns', async () => {
      if (isIP(host)) return { status: 'ok', detail: `${host} is an IP address: nothing to resolve.` };
      const found = await withTimeout(lookup(host, { all: true }), `resolving ${host}`).catch((error) => {
        throw new StepFailure(`${host} does not resolve (${codeOf(error)}).`);
      });
      address = found[0].address;
      return { status: 'ok', detail: `${host} resolves to ${found.map((a) => a.address).join(', ')}.` };
    });

    await step('tcp', async () => {
      await withTimeout(
        new Promise<void>((resolve, reject) => {
          const socket: Socket = tcpConnect({ host: address, port });
          socket.once('connect', () => (socket.destroy(), resolve()));
          socket.once('error', (error) =>
            reject(new StepFailure(`Cannot connect to ${address}:${port} (${codeOf(error)}).`)),
          );
        }),
        `connecting to ${address}:${port}`,
      );
      return { status: 'ok', detail: `Connected to ${address}:${port}.` };
    });

    await step('tls', async () => {
      if (url.protocol !== 'https:') {
        return { status: 'skipped', detail: 'Plain HTTP: this upstream is configured without TLS.' };
      }
      return this.tls(target, host, address, port);
    });

    await step('authentication', async () => this.authenticate(target));

    await step('call', async () => {
      try {
        const { detail } = await this.adapterOf(target).diagnose({ requestId });
        return { status: 'ok', detail };
      } catch (error) {
        callFailure = error;
        throw new StepFailure(`${codeOf(error)}: ${(error as Error).message}`);
      }
    });

    // a call refused for the gateway's credentials or signature is an authentication failure
    const kind = kindOf(callFailure);
    if (kind === 'AUTHENTICATION' || kind === 'BAD_SIGNATURE') {
      const auth = steps.find((s) => s.step === 'authentication')!;
      const call = steps.find((s) => s.step === 'call')!;
      auth.status = 'failed';
      auth.detail = `The exchange failed on authentication: ${call.detail}`;
      call.status = 'skipped';
      call.detail = 'Not answered: the Authentication step failed.';
    }
    return steps;
  }

  private tls(
    target: UpstreamTarget,
    host: string,
    address: string,
    port: number,
  ): Promise<Omit<DiagnosticStep, 'step' | 'title' | 'durationMs'>> {
    return withTimeout(
      new Promise((resolve, reject) => {
        const socket: TLSSocket = tlsConnect({
          host: address,
          port,
          ...(isIP(host) ? {} : { servername: host }),
          ...(target.ca ? { ca: target.ca } : {}),
          ...(target.clientCertificate ?? {}),
          rejectUnauthorized: false,
        });
        socket.once('secureConnect', () => {
          const now = Date.now();
          const certificates = chainOf(socket.getPeerCertificate(true), now);
          const protocol = socket.getProtocol();
          const authorized = socket.authorized;
          const problem = socket.authorizationError;
          socket.destroy();
          const leaf = certificates[0];
          if (!authorized) {
            resolve({
              status: 'failed',
              detail: `The certificate chain does not verify against the configured CA (${String(problem)}).`,
              certificates,
            });
          } else if (leaf && leaf.daysToExpiry < 0) {
            resolve({
              status: 'failed',
              detail: `The upstream's certificate expired on ${leaf.validTo}.`,
              certificates,
            });
          } else {
            resolve({
              status: 'ok',
              detail:
                `${protocol}; the chain verifies against the configured CA` +
                (leaf ? `; the upstream's certificate expires in ${leaf.daysToExpiry} days` : '') +
                (target.clientCertificate ? '; the gateway presented its client certificate.' : '.'),
              certificates,
            });
          }
        });
        socket.once('error', (error) =>
          reject(
            new StepFailure(
              `TLS handshake with ${address}:${port} failed (${codeOf(error)}: ${error.message}).`,
            ),
          ),
        );
      }),
      `TLS handshake with ${address}:${port}`,
    );
  }

  private async authenticate(
    target: UpstreamTarget,
  ): Promise<Omit<DiagnosticStep, 'step' | 'title' | 'durationMs'>> {
    switch (target.authentication) {
      case 'mtls-signature': {
        const { cert, key } = target.clientCertificate!;
        const certificate = new X509Certificate(cert);
        const left = days(certificate.validTo, Date.now());
        if (left < 0)
          throw new StepFailure(`The gateway's client certificate expired on ${certificate.validTo}.`);
        if (!certificate.checkPrivateKey(createPrivateKey(key))) {
          throw new StepFailure("The gateway's signing key does not belong to its client certificate.");
        }
        return {
          status: 'ok',
          detail:
            `Mutual TLS and signed messages: the gateway's certificate (${certificate.subject.replace(/\n/g, ', ')}) ` +
            `is valid for ${left} more days and matches its signing key; the call below is signed and its answer's signature verified.`,
        };
      }
      case 'oauth2': {
        const { tokenUrl, clientId, clientSecret } = target.oauth2!;
        const https = tokenUrl.startsWith('https:');
        const agent = https ? new HttpsAgent({ ca: target.ca, keepAlive: false }) : undefined;
        const provider = new OAuth2TokenProvider({
          tokenUrl,
          clientId,
          clientSecret,
          timeoutMs: STEP_TIMEOUT_MS,
          ...(agent ? { httpsAgent: agent } : {}),
        });
        try {
          await provider.token();
        } catch (error) {
          throw new StepFailure(
            `No OAuth2 access token for client "${clientId}": ${codeOf(error)}: ${(error as Error).message}`,
          );
        } finally {
          agent?.destroy();
        }
        return {
          status: 'ok',
          detail: `OAuth2 client credentials: an access token was issued to client "${clientId}" by ${new URL(tokenUrl).pathname}.`,
        };
      }
      case 'api-key':
        return {
          status: 'ok',
          detail: 'API key: sent with the call below, which the upstream answers only when it accepts it.',
        };
      default:
        return { status: 'skipped', detail: 'No authentication is configured for this upstream.' };
    }
  }

  /** The gateway's own adapter of the upstream: its `diagnose` asks for an identifier no one holds. */
  private adapterOf(target: UpstreamTarget): UpstreamAdapter {
    switch (target.name) {
      case 'population':
        return this.upstreams.population()!;
      case 'business-registry':
        return this.upstreams.businessRegistry()!;
      case 'land':
        return this.upstreams.land()!;
    }
  }
}
