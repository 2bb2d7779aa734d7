import type { Dispatcher } from 'undici';
import {
  AdapterCalls,
  AdapterHealth,
  DEFAULT_RESILIENCE,
  diagnosis,
  ResilienceOptions,
  type RunAttempts,
  type UpstreamCallContext,
  type UpstreamDiagnosis,
  upstreamPool,
} from '@lienthong/adapters/common';
import type { Citizen } from '@lienthong/contracts';
import { isPartialDate } from '@lienthong/contracts';
import { validatePersonalId, vietnamCompact } from '@lienthong/domain';
import { XmlSignatureVerifier, XmlSigner, XmlWriteError } from '@lienthong/pki';
import {
  RESERVED_PERSONAL_ID,
  type CitizenClaims,
  type PopulationAdapter,
  type PopulationCallContext,
  type PopulationMethod,
} from './population.adapter';
import { populationErrors, PopulationError } from './population.errors';
import {
  asWireCitizen,
  asWireVerification,
  CitizenVerification,
  populationProvenance,
  toCitizen,
  toVerification,
  toWireDate,
} from './population.mapping';
import { POPULATION_CLIENT_DEFAULTS, PopulationClientOptions } from './population.options';
import { readAnswer, RequestFields, signRequestEnvelope, WireRecord } from './population.soap';
import { POPULATION_OPERATIONS, PopulationOperation, soapAction } from './population.wire';

/**
 * Client of the National Population Database's citizen service: SOAP 1.1 over HTTPS with mutual TLS, on an
 * undici Pool (keep-alive, `connections` sockets: this is the lookup hot path). Each request is signed with
 * the gateway's key; each answer must carry a valid signature by the pinned upstream certificate and echo the
 * request's MaYeuCau, or it is refused (POPULATION_BAD_SIGNATURE) and never passed on. Reads only, so every call
 * runs under the resilience policy (timeout per attempt, retries with jitter on transient errors, circuit
 * breaker, bulkhead). Inputs are validated before anything is sent.
 */
export class PopulationClient implements PopulationAdapter {
  private readonly dispatcher: Dispatcher;
  private readonly ownsDispatcher: boolean;
  private readonly origin: string;
  private readonly path: string;
  private readonly signer: XmlSigner;
  private readonly verifier: XmlSignatureVerifier;
  private readonly calls: AdapterCalls<PopulationError, PopulationMethod>;
  private readonly callerCode: string;
  private readonly ttlMs: number;
  private readonly clock: () => Date;
  readonly adapter = populationErrors.adapter;

  constructor(options: PopulationClientOptions) {
    const url = new URL(options.endpoint);
    if (url.protocol !== 'https:')
      throw new Error('the population endpoint must be an https:// URL (mutual TLS)');
    this.origin = url.origin;
    this.path = `${url.pathname}${url.search}`;
    const resilience: ResilienceOptions = { ...DEFAULT_RESILIENCE, ...options.resilience };
    this.callerCode = options.callerCode ?? POPULATION_CLIENT_DEFAULTS.callerCode;
    this.ttlMs = options.validityTtlMs ?? POPULATION_CLIENT_DEFAULTS.validityTtlMs;
    this.clock = options.clock ?? (() => new Date());
    this.signer = new XmlSigner({
      privateKey: options.requestSigning.privateKey,
      certificatePem: options.requestSigning.certificatePem,
    });
    this.verifier = new XmlSignatureVerifier({ trustedCertificates: options.upstreamSigningCertificates });
    this.ownsDispatcher = !options.dispatcher;
    this.dispatcher =
      options.dispatcher ??
      upstreamPool(this.origin, {
        connections: options.connections ?? POPULATION_CLIENT_DEFAULTS.connections,
        maxResponseBytes: POPULATION_CLIENT_DEFAULTS.maxResponseBytes,
        connectTimeoutMs: resilience.timeoutMs,
        connect: {
          key: options.tls.key,
          cert: options.tls.cert,
          ca: options.tls.ca,
          ...(options.tls.servername ? { servername: options.tls.servername } : {}),
          rejectUnauthorized: true,
        },
      });
    this.calls = new AdapterCalls({
      adapter: this.adapter,
      upstream: populationErrors.upstream,
      title: 'population',
      resilience,
      logger: options.logger,
      errors: populationErrors.kit(),
    });
  }

  async lookupCitizen(personalId: string, ctx: PopulationCallContext): Promise<Citizen> {
    return this.soapCall(
      'lookupCitizen',
      POPULATION_OPERATIONS.lookup,
      ctx,
      () => ({ personalId: checkPersonalId(personalId) }),
      (record, retrievedAt) => {
        const citizen = toCitizen(
          asWireCitizen(record.CongDan),
          populationProvenance(retrievedAt, this.ttlMs),
        );
        if (citizen.personalId !== personalId) {
          throw populationErrors.malformed('the answer describes another personal ID');
        }
        return citizen;
      },
    );
  }

  async verifyCitizen(
    personalId: string,
    claims: CitizenClaims,
    ctx: PopulationCallContext,
  ): Promise<CitizenVerification> {
    return this.soapCall(
      'verifyCitizen',
      POPULATION_OPERATIONS.verify,
      ctx,
      () => {
        const fields: Partial<RequestFields> = { personalId: checkPersonalId(personalId) };
        if (claims.fullName === undefined && claims.dateOfBirth === undefined) {
          throw populationErrors.invalidRequest(
            'fullName|dateOfBirth',
            'adapter',
            'nothing to verify: give fullName or dateOfBirth',
          );
        }
        if (claims.fullName !== undefined) {
          const name = typeof claims.fullName === 'string' ? claims.fullName.normalize('NFC').trim() : '';
          if (name === '' || name.length > 200) throw populationErrors.invalidRequest('fullName', 'adapter');
          fields.fullName = name;
        }
        if (claims.dateOfBirth !== undefined) {
          if (typeof claims.dateOfBirth !== 'string' || !isPartialDate(claims.dateOfBirth)) {
            throw populationErrors.invalidRequest('dateOfBirth', 'adapter');
          }
          fields.dateOfBirth = toWireDate(claims.dateOfBirth);
        }
        return fields;
      },
      (record, retrievedAt) =>
        toVerification(
          personalId,
          claims,
          asWireVerification(record.KetQuaXacThuc),
          populationProvenance(retrievedAt, this.ttlMs),
        ),
    );
  }

  call<T>(
    method: PopulationMethod,
    ctx: UpstreamCallContext | undefined,
    body: (attempts: RunAttempts, requestId: string) => Promise<T>,
  ): Promise<T> {
    return this.calls.call(method, ctx, body);
  }

  health(): AdapterHealth {
    return this.calls.health();
  }

  /** Verifies a personal ID no one holds (province 001, born 1900, serial 0): CITIZEN_NOT_FOUND proves the exchange. */
  diagnose(ctx: PopulationCallContext): Promise<UpstreamDiagnosis> {
    return diagnosis(() => this.verifyCitizen(RESERVED_PERSONAL_ID, { dateOfBirth: '1900' }, ctx));
  }

  /** Closes the connection pool (not an injected dispatcher). */
  async close(): Promise<void> {
    if (this.ownsDispatcher) await this.dispatcher.close();
  }

  private async soapCall<T>(
    method: PopulationMethod,
    operation: PopulationOperation,
    ctx: PopulationCallContext,
    input: () => Partial<RequestFields>,
    map: (record: WireRecord, retrievedAt: Date) => T,
  ): Promise<T> {
    return this.call(method, ctx, async (attempts, requestId) => {
      let envelope: string;
      try {
        envelope = await signRequestEnvelope(this.signer, operation, {
          ...(input() as { personalId: string }),
          requestId,
          callerCode: this.callerCode,
          timestamp: wireTimestamp(this.clock()),
        });
      } catch (error) {
        if (error instanceof XmlWriteError) throw populationErrors.invalidRequest('fullName', 'adapter');
        throw error;
      }
      const record = await attempts(async (signal) => {
        const { status, body } = await this.send(operation, envelope, signal);
        return readAnswer(this.verifier, operation, requestId, status, body);
      });
      return map(record, this.clock());
    });
  }

  private send(
    operation: PopulationOperation,
    envelope: string,
    signal: AbortSignal,
  ): Promise<{ status: number; body: string }> {
    return this.calls.exchange(signal, async () => {
      const response = await this.dispatcher.request({
        origin: this.origin,
        path: this.path,
        method: 'POST',
        headers: { 'content-type': 'text/xml; charset=utf-8', soapaction: soapAction(operation) },
        body: envelope,
        signal,
      });
      const body = await response.body.text();
      return { status: response.statusCode, body };
    });
  }
}

function checkPersonalId(personalId: string): string {
  if (typeof personalId !== 'string' || !validatePersonalId(personalId).valid) {
    throw populationErrors.invalidRequest('personalId', 'adapter');
  }
  return personalId;
}

/** `yyyyMMddHHmmss` in Vietnam time. */
function wireTimestamp(date: Date): string {
  return vietnamCompact(date);
}
