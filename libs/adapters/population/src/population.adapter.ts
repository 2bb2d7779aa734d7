import type { Citizen } from '@lienthong/contracts';
import type { UpstreamAdapter } from '@lienthong/adapters/common';
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

/** The adapter's calls: the `method` label of the shared metrics. */
export type PopulationMethod = 'lookupCitizen' | 'verifyCitizen';

/**
 * A valid-looking personal ID no one holds (province 001, born 1900, serial 0): `diagnose` asks for it, and
 * the answer CITIZEN_NOT_FOUND proves the whole exchange (mutual TLS, signatures, parsing) without reading
 * anybody's data.
 */
export const RESERVED_PERSONAL_ID = '001000000000';

/**
 * The National Population Database (CSDLQG về dân cư) as the gateway sees it. Implementations throw the
 * upstream errors of population.errors.ts (`populationErrors`), never HTTP exceptions.
 */
export interface PopulationAdapter extends UpstreamAdapter<PopulationMethod> {
  /** The citizen with this personal ID, in the canonical model, with provenance. */
  lookupCitizen(personalId: string, ctx: PopulationCallContext): Promise<Citizen>;
  /** Whether the register agrees with the claimed fields, per field; discloses nothing else. */
  verifyCitizen(
    personalId: string,
    claims: CitizenClaims,
    ctx: PopulationCallContext,
  ): Promise<CitizenVerification>;
}
