import { Command, InvalidArgumentError } from 'commander';
import { sampleBranches, sampleEnterprises } from '../../../simulators/src/business-registry';
import {
  CertificateSample,
  ParcelSample,
  sampleCertificates,
  sampleParcels,
} from '../../../simulators/src/land';
import { sampleCitizens } from '../../../simulators/src/population';

/** How many of each kind `lienthong sim sample` prints unless told otherwise. */
export const DEFAULT_SAMPLE_COUNT = 3;
const MAX_SAMPLE_COUNT = 100;

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

function parseCount(value: string): number {
  if (!/^[0-9]+$/.test(value) || Number(value) < 1 || Number(value) > MAX_SAMPLE_COUNT) {
    throw new InvalidArgumentError(`must be a whole number from 1 to ${MAX_SAMPLE_COUNT}`);
  }
  return Number(value);
}

/** `lienthong sim sample`: identifiers to try a lookup with at once. */
export function simCommand(): Command {
  const sim = new Command('sim').description('the upstream simulators');
  sim
    .command('sample')
    .description(
      'print a few existing citizens, enterprises, dependent units, parcels and certificates (synthetic data), with the field names of the lookup request bodies',
    )
    .option('--count <n>', 'how many of each', parseCount, DEFAULT_SAMPLE_COUNT)
    .option('--json', 'one JSON document instead of one line per identifier')
    .action((options: { count: number; json?: boolean }) => {
      const samples = sampleLookups(options.count);
      if (options.json) {
        console.log(JSON.stringify(samples, null, 2));
        return;
      }
      const print = (title: string, rows: readonly unknown[]) => {
        console.log(`# ${title}`);
        for (const row of rows) console.log(JSON.stringify(row));
      };
      print(
        'citizens (population simulator): POST /v1/citizens/lookup, /v1/citizens/verify',
        samples.citizens,
      );
      print('enterprises (business registry simulator): POST /v1/enterprises/lookup', samples.enterprises);
      print(
        'dependent units (business registry simulator): POST /v1/enterprises/lookup',
        samples.dependentUnits,
      );
      print('parcels (land simulator): POST /v1/land-parcels/lookup', samples.parcels);
      print('certificates in force (land simulator): POST /v1/land-parcels/lookup', samples.certificates);
    });
  return sim;
}
