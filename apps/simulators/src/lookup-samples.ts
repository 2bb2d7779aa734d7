import { sampleBranches, sampleEnterprises } from './business-registry';
import { sampleCertificates, sampleParcels, type CertificateSample, type ParcelSample } from './land';
import { sampleCitizens } from './population';

/** How many of each kind `lienthong sim sample` prints unless told otherwise. */
export const DEFAULT_SAMPLE_COUNT = 3;

/**
 * Identifiers that exist in the simulators' synthetic data (default seed and size, the data `npm start`
 * serves), named as in the gateway's lookup request bodies so that they can be pasted into one.
 */
export interface LookupSamples {
  /** For /v1/citizens/lookup and /v1/citizens/verify. */
  citizens: {
    personalId: string;
    fullName: string;
    dateOfBirth: string;
    sex: string;
    legacyIdCard?: string;
  }[];
  /** For /v1/enterprises/lookup. */
  enterprises: { enterpriseCode: string; name: string; status: string; dependentUnits: number }[];
  /** Branches and representative offices, also for /v1/enterprises/lookup. */
  dependentUnits: { enterpriseCode: string; parentEnterpriseCode: string; name: string; kind: string }[];
  /** For /v1/land-parcels/lookup by parcel. */
  parcels: ParcelSample[];
  /** For /v1/land-parcels/lookup by certificate (a certificate in force). */
  certificates: CertificateSample[];
}

export function sampleLookups(count: number = DEFAULT_SAMPLE_COUNT): LookupSamples {
  return {
    citizens: sampleCitizens(count).map((c) => ({
      personalId: c.personalId,
      fullName: c.fullName,
      dateOfBirth: c.dateOfBirth,
      sex: c.sex,
      ...(c.legacyIdCard ? { legacyIdCard: c.legacyIdCard } : {}),
    })),
    enterprises: sampleEnterprises(count).map((e) => ({
      enterpriseCode: e.enterpriseCode,
      name: e.name,
      status: e.status,
      dependentUnits: e.units,
    })),
    dependentUnits: sampleBranches(count).map((b) => ({
      enterpriseCode: b.code,
      parentEnterpriseCode: b.parentCode,
      name: b.name,
      kind: b.kind,
    })),
    parcels: sampleParcels(count),
    certificates: sampleCertificates(count),
  };
}
