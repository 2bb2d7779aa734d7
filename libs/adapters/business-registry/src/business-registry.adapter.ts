import type { Enterprise } from '@lienthong/contracts';
import type { AdapterHealth } from '@lienthong/adapters/common';

/** Per-call context. */
export interface BusinessRegistryCallContext {
  /** The exchange's X-Request-Id ([A-Za-z0-9._:-]{1,128}), sent to the upstream as X-Request-Id. */
  requestId: string;
}

/**
 * The National Business Registration Database (CSDLQG về đăng ký doanh nghiệp) as the gateway sees it.
 * Implementations throw the errors of business-registry.errors.ts, never HTTP exceptions.
 */
export interface BusinessRegistryAdapter {
  /**
   * The enterprise (10-digit code) or dependent unit (13-character code) in the canonical model, with
   * provenance. A code that fails the check-digit rule is still looked up; the record carries
   * `checkDigitWarning: true`.
   */
  lookupEnterprise(enterpriseCode: string, ctx: BusinessRegistryCallContext): Promise<Enterprise>;
  /** Circuit state, recent latency and error rate, for `GET /health/adapters`. */
  health(): AdapterHealth;
}

/** Nest injection token for the BusinessRegistryAdapter. */
export const BUSINESS_REGISTRY_ADAPTER = Symbol('BUSINESS_REGISTRY_ADAPTER');
