import { createHash, timingSafeEqual } from 'node:crypto';
import type { AppLogger } from '@lienthong/observability';
import { hashApiKey, isWellFormedApiKey } from './api-key';
import { fingerprintOfDer, fingerprintOfPeer, subjectMatches, type PeerCertificateLike } from './certificate';
import {
  crossClientProblems,
  DEFAULT_CLIENTS_FILE,
  DEMO_CLIENT_ID,
  parseClientsDocument,
  readClientsFile,
  type ClientsConfig,
} from './clients-file';
import type { ForwardedCertificates } from './forwarded-certificate';
import {
  CLIENT_ROLES,
  type Caller,
  type PurposeDefinition,
  type RateLimit,
  type RegisteredClient,
  type ServiceGrant,
} from './clients.types';
import { ClientsConfigError, denial, WWW_AUTHENTICATE } from './security.errors';
import { SERVICE_NAMES, type ServiceName } from './services';

/**
 * What authentication reads from a request: the headers, and the TLS socket (Fastify's `request.raw.socket`,
 * or a Node request's `socket`) for the client certificate.
 */
export interface AuthenticationRequest {
  headers: Record<string, string | string[] | undefined>;
  raw?: { socket?: unknown };
  socket?: unknown;
}

/** The parts of a `tls.TLSSocket` authentication reads. */
interface TlsSocketLike {
  getPeerCertificate(detailed?: boolean): PeerCertificateLike | null;
  authorized?: boolean;
  remoteAddress?: string;
}

export interface ClientRegistryOptions {
  /** Milliseconds since the epoch; API key expiry is checked against it. */
  now?: () => number;
  /** Refusals are logged at info level with the reason and the client/credential id; never a key. */
  logger?: AppLogger;
  /**
   * Client certificates forwarded by trusted TLS-terminating proxies; without it the forwarding header
   * is not read (a certificate then only comes from the gateway's own TLS connection).
   */
  forwardedCertificates?: ForwardedCertificates;
}

interface KeyEntry {
  client: RegisteredClient;
  keyId: string;
  digest: Buffer;
  expiresAt?: number;
}

const BEARER = /^Bearer[ ]+(\S+)[ ]*$/i;

/**
 * The gateway's callers (connection accounts, Decree 47/2020/NĐ-CP) from deploy/config/clients.yaml, with
 * the purpose catalogue, and authentication of a request against them. Immutable: adding the demo client
 * gives a new registry.
 */
export class ClientRegistry {
  /** Loads and validates a clients.yaml (absolute, or relative to the repository root). */
  static load(file: string = DEFAULT_CLIENTS_FILE, options: ClientRegistryOptions = {}): ClientRegistry {
    return new ClientRegistry(readClientsFile(file), options);
  }

  /** Builds a registry from an already-parsed document (tests, generated configuration). */
  static fromDocument(
    document: unknown,
    options: ClientRegistryOptions & { source?: string } = {},
  ): ClientRegistry {
    return new ClientRegistry(parseClientsDocument(document, options.source), options);
  }

  private readonly byId = new Map<string, RegisteredClient>();
  private readonly keys: KeyEntry[] = [];
  private readonly now: () => number;
  private readonly logger?: AppLogger;

  private constructor(
    private readonly config: ClientsConfig,
    private readonly options: ClientRegistryOptions,
  ) {
    this.now = options.now ?? Date.now;
    this.logger = options.logger;
    for (const client of config.clients) {
      this.byId.set(client.id, client);
      for (const key of client.apiKeys) {
        this.keys.push({
          client,
          keyId: key.id,
          digest: Buffer.from(key.sha256, 'hex'),
          expiresAt: key.expiresAt?.getTime(),
        });
      }
    }
  }

  clients(): readonly RegisteredClient[] {
    return this.config.clients;
  }

  client(id: string): RegisteredClient | undefined {
    return this.byId.get(id);
  }

  /** Enabled clients that produce dossier events to Kafka: a Kafka principal and the dossier.events grant. */
  eventProducers(): readonly RegisteredClient[] {
    return this.config.clients.filter(
      (client) => client.enabled && client.kafkaPrincipal !== undefined && client.services['dossier.events'],
    );
  }

  purpose(code: string): PurposeDefinition | undefined {
    return this.config.purposes.get(code);
  }

  purposeCodes(): string[] {
    return [...this.config.purposes.keys()];
  }

  /** A new registry with one more client; refuses an id or credential already registered. */
  withClient(client: RegisteredClient): ClientRegistry {
    const clients = [...this.config.clients, client];
    const problems = crossClientProblems(clients);
    if (problems.length > 0) throw new ClientsConfigError(`adding client "${client.id}"`, problems);
    return new ClientRegistry({ purposes: this.config.purposes, clients }, this.options);
  }

  /**
   * Identifies the caller from `Authorization: Bearer <key>` or, without that header, from the client
   * certificate of a mutual-TLS connection. Throws ProblemException 401: `UNAUTHENTICATED` when no
   * credentials were presented, `INVALID_CREDENTIALS` when they match no enabled client (unknown or
   * expired key, disabled client, unregistered certificate). A key that matches while the connection
   * presents a certificate of a different client is refused too.
   */
  authenticate(request: AuthenticationRequest): Caller {
    const header = request.headers.authorization;
    const peer = this.peerOf(request);
    if (header !== undefined) {
      const caller = this.authenticateBearer(header);
      if (peer?.certificate) {
        const certified = this.matchCertificate(peer.certificate, peer.authorized);
        if (certified && certified.client.id !== caller.clientId) {
          this.refused('credentials of two clients', caller.clientId);
          throw denial(
            'INVALID_CREDENTIALS',
            'The API key and the client certificate belong to different clients.',
            { 'WWW-Authenticate': `${WWW_AUTHENTICATE}, error="invalid_token"` },
          );
        }
      }
      return caller;
    }
    if (peer?.certificate) return this.authenticateCertificate(peer.certificate, peer.authorized);
    throw denial(
      'UNAUTHENTICATED',
      'Send the API key as "Authorization: Bearer <key>" or connect with a registered client certificate.',
      { 'WWW-Authenticate': WWW_AUTHENTICATE },
    );
  }

  private authenticateBearer(header: string | string[]): Caller {
    const invalid = (detail: string) =>
      denial('INVALID_CREDENTIALS', detail, {
        'WWW-Authenticate': `${WWW_AUTHENTICATE}, error="invalid_token"`,
      });
    if (Array.isArray(header)) throw invalid('Send one Authorization header.');
    const match = BEARER.exec(header);
    if (!match) {
      throw denial('UNAUTHENTICATED', 'The Authorization header must be "Bearer <key>".', {
        'WWW-Authenticate': WWW_AUTHENTICATE,
      });
    }
    const key = match[1];
    if (!isWellFormedApiKey(key)) {
      this.refused('malformed key');
      throw invalid('The API key is not valid.');
    }
    const digest = createHash('sha256').update(key, 'utf8').digest();
    // Compare against every registered hash in constant time, so the position of a match is not observable.
    let found: KeyEntry | undefined;
    for (const entry of this.keys) {
      if (timingSafeEqual(entry.digest, digest) && !found) found = entry;
    }
    if (!found) {
      this.refused('unknown key');
      throw invalid('The API key is not valid.');
    }
    if (found.expiresAt !== undefined && found.expiresAt <= this.now()) {
      this.refused('expired key', found.client.id, found.keyId);
      throw invalid('The API key has expired; ask the gateway operators for a new one.');
    }
    if (!found.client.enabled) {
      this.refused('disabled client', found.client.id, found.keyId);
      throw invalid('The client is disabled.');
    }
    return callerOf(found.client, 'api-key', found.keyId);
  }

  private authenticateCertificate(certificate: PeerCertificateLike, authorized: boolean): Caller {
    const fingerprint = fingerprintOfPeer(certificate);
    const matched = this.matchCertificate(certificate, authorized);
    if (!matched || !fingerprint) {
      this.refused(authorized ? 'unregistered certificate' : 'unregistered or unverified certificate');
      throw denial('INVALID_CREDENTIALS', 'The client certificate is not registered.');
    }
    if (!matched.client.enabled) {
      this.refused('disabled client', matched.client.id, fingerprint);
      throw denial('INVALID_CREDENTIALS', 'The client is disabled.');
    }
    return callerOf(matched.client, 'mtls', fingerprint);
  }

  /**
   * The client a peer certificate identifies. A pinned fingerprint identifies the certificate itself (the
   * TLS handshake proved the peer holds its key), so it needs no CA; a subject alone only counts when
   * the TLS server verified the certificate's chain against its trusted CA (`socket.authorized`).
   */
  private matchCertificate(
    certificate: PeerCertificateLike,
    authorized: boolean,
  ): { client: RegisteredClient } | undefined {
    const fingerprint = fingerprintOfPeer(certificate);
    if (!fingerprint) return undefined;
    for (const client of this.config.clients) {
      for (const credential of client.certificates) {
        const pinned = credential.sha256Fingerprint !== undefined;
        if (pinned && credential.sha256Fingerprint !== fingerprint) continue;
        if (credential.subject) {
          if (!pinned && !authorized) continue;
          if (!subjectMatches(credential.subject, certificate.subject)) continue;
        }
        return { client };
      }
    }
    return undefined;
  }

  /**
   * The client certificate of the request: the one a trusted proxy forwarded (it stands for the caller
   * behind the proxy), else the one of the gateway's own TLS connection.
   */
  private peerOf(
    request: AuthenticationRequest,
  ): { certificate?: PeerCertificateLike; authorized: boolean } | undefined {
    const socket = (request.raw?.socket ?? request.socket) as Partial<TlsSocketLike> | undefined;
    const forwarded = this.options.forwardedCertificates?.read(request.headers, socket?.remoteAddress);
    if (forwarded) return forwarded;
    if (!socket || typeof socket.getPeerCertificate !== 'function') return undefined;
    const certificate = socket.getPeerCertificate(false);
    const present =
      certificate !== null &&
      typeof certificate === 'object' &&
      ((certificate.raw !== undefined && certificate.raw.length > 0) || !!certificate.fingerprint256);
    return { certificate: present ? certificate : undefined, authorized: socket.authorized === true };
  }

  private refused(reason: string, clientId?: string, credentialId?: string): void {
    this.logger?.info({ reason, clientId, credentialId }, 'authentication refused');
  }
}

function callerOf(client: RegisteredClient, via: Caller['via'], credentialId: string): Caller {
  return Object.freeze({
    clientId: client.id,
    name: client.name,
    kind: client.kind,
    admin: client.admin,
    via,
    credentialId,
  });
}

/**
 * Adds the local demo client `demo`: every service, every purpose of the catalogue, every field, stale
 * answers allowed, admin, authenticated by `key` (and by the client certificate `certificateDer`, when
 * given). For `npm start` on embedded defaults only (the key comes
 * from LGSP_DEMO_API_KEY or is generated and printed); never for a deployment with real data.
 */
export function withDemoClient(
  registry: ClientRegistry,
  key: string,
  options: { rateLimit?: RateLimit; certificateDer?: Buffer } = {},
): ClientRegistry {
  if (!isWellFormedApiKey(key)) {
    throw new Error(
      'the demo API key (LGSP_DEMO_API_KEY) must be 16 to 512 characters from A-Z a-z 0-9 - . _ ~ + /',
    );
  }
  const purposes = Object.freeze(registry.purposeCodes());
  const services: Partial<Record<ServiceName, ServiceGrant>> = {};
  for (const name of SERVICE_NAMES)
    services[name] = Object.freeze({ purposes, fields: '*', allowStale: true });
  return registry.withClient(
    Object.freeze({
      id: DEMO_CLIENT_ID,
      name: 'Demo client (local run on embedded defaults)',
      kind: 'DEMO',
      enabled: true,
      admin: true,
      agencies: Object.freeze(['*']),
      roles: Object.freeze([...CLIENT_ROLES]),
      apiKeys: Object.freeze([{ id: 'demo', sha256: hashApiKey(key) }]),
      // Pinned by fingerprint: the certificate itself, whoever issued it.
      certificates: Object.freeze(
        options.certificateDer ? [{ sha256Fingerprint: fingerprintOfDer(options.certificateDer) }] : [],
      ),
      rateLimit: options.rateLimit,
      services: Object.freeze(services),
    }),
  );
}

/**
 * The clients that produce dossier events to Kafka: enabled, granted `dossier.events` and named a
 * `kafka.principal` in clients.yaml. Each gets its own inbound topic, writable by that principal only.
 */
export function inboundProducers(registry: ClientRegistry): { clientId: string; principal: string }[] {
  return registry
    .clients()
    .filter((client) => client.enabled && client.kafkaPrincipal && client.services['dossier.events'])
    .map((client) => ({ clientId: client.id, principal: client.kafkaPrincipal as string }));
}
