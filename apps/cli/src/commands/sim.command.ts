import { Command, InvalidArgumentError } from 'commander';
import { DEFAULT_SAMPLE_COUNT, sampleLookups } from '@lienthong/simulators';

const MAX_SAMPLE_COUNT = 100;

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
