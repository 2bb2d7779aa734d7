import type { Citizen } from '@lienthong/contracts';
import type { AdapterHealth } from '@lienthong/adapters/common';
import type { CitizenVerification } from './population.mapping';

/** Per-call context: carried to the upstream as MaYeuCau and echoed in its signed answer. */
export interface PopulationCallContext {
  /** The exchange's X-Request-Id ([A-Za-z0-9._:-]{1,128}). */
  requestId: string;
}

/** Fields a citizen declared, to be checked against the register. At least one is required. */
export interface CitizenClaims {
  fullName?: string;
  /** `YYYY-MM-DD`, or `YYYY-MM` / `YYYY`. */
  dateOfBirth?: string;
}

/**
 * The National Population Database (CSDLQG về dân cư) as the gateway sees it. Implementations throw the
 * errors of population.errors.ts, never HTTP exceptions.
 */
export interface PopulationAdapter {
  /** The citizen with this personal ID, in the canonical model, with provenance. */
  lookupCitizen(personalId: string, ctx: PopulationCallContext): Promise<Citizen>;
  /** Whether the register agrees with the claimed fields, per field; discloses nothing else. */
  verifyCitizen(
    personalId: string,
    claims: CitizenClaims,
    ctx: PopulationCallContext,
  ): Promise<CitizenVerification>;
  /** Circuit state, recent latency and error rate, for `GET /health/adapters`. */
  health(): AdapterHealth;
}

/** Nest injection token for the PopulationAdapter. */
export const POPULATION_ADAPTER = Symbol('POPULATION_ADAPTER');
