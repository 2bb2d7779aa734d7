import { DEV_PKI_NAMES, loadDevPki } from '@lienthong/pki';
import type { UpstreamClientOptions } from '@lienthong/adapters/common';

/** Besides these: resilience, connections, logger, clock, dispatcher (UpstreamClientOptions). */
export interface PopulationClientOptions extends UpstreamClientOptions {
  /** The SOAP endpoint, e.g. `https://127.0.0.1:9443/ws/congdan`. */
  endpoint: string;
  /** Mutual TLS: the gateway's client key and certificate, and the CA(s) that issued the upstream's server certificate. */
  tls: { key: string; cert: string; ca: string | string[]; servername?: string };
  /** Key and certificate the gateway signs its requests with. */
  requestSigning: { privateKey: string; certificatePem: string };
  /**
   * The upstream's response-signing certificate(s), pinned: an answer signed with any other key is refused,
   * whatever certificate it carries in KeyInfo. Several during a rotation.
   */
  upstreamSigningCertificates: string | string[];
  /** MaDonViYeuCau: the calling agency's code (default `000.00.00.H56`). */
  callerCode?: string;
  /** How long an answer may be relied upon: provenance.validUntil = retrievedAt + this (default 24 h). */
  validityTtlMs?: number;
}

export const POPULATION_CLIENT_DEFAULTS = Object.freeze({
  callerCode: '000.00.00.H56',
  validityTtlMs: 24 * 3_600_000,
  connections: 64,
  maxResponseBytes: 1024 * 1024,
});

/**
 * Client options from the development PKI (`lienthong pki init`): the gateway certificate for mTLS and
 * request signing, the dev CA for the server certificate, and `population-signer` pinned for answers.
 */
export function populationClientOptionsFromDevPki(
  pkiDir: string | undefined,
  endpoint: string,
  overrides: Partial<PopulationClientOptions> = {},
): PopulationClientOptions {
  const pki = loadDevPki(pkiDir);
  const gateway = pki.get(DEV_PKI_NAMES.gateway);
  return {
    endpoint,
    tls: { key: gateway.keyPem, cert: gateway.certPem, ca: pki.ca.certPem },
    requestSigning: { privateKey: gateway.keyPem, certificatePem: gateway.certPem },
    upstreamSigningCertificates: pki.get(DEV_PKI_NAMES.populationSigner).certPem,
    ...overrides,
  };
}
