import {
  BusinessRegistryDataset,
  createPopulationDataset,
  LandDataset,
  type LookupSamples,
} from '@lienthong/simulators';
import { simCommand } from './sim.command';

async function run(args: string[]): Promise<string[]> {
  const lines: string[] = [];
  const log = jest.spyOn(console, 'log').mockImplementation((line: string) => void lines.push(line));
  try {
    const sim = simCommand();
    for (const command of [sim, ...sim.commands]) {
      command
        .exitOverride()
        .configureOutput({ writeErr: (text) => lines.push(text), writeOut: (text) => lines.push(text) });
    }
    await sim.parseAsync(args, { from: 'user' });
  } finally {
    log.mockRestore();
  }
  return lines;
}

describe('lienthong sim sample', () => {
  it('prints identifiers that the simulators serve, under the lookup request field names', async () => {
    const samples = JSON.parse((await run(['sample', '--json', '--count', '2'])).join('\n')) as LookupSamples;
    const population = createPopulationDataset();
    const registry = new BusinessRegistryDataset();
    const land = new LandDataset();

    expect(samples.citizens).toHaveLength(2);
    for (const citizen of samples.citizens) {
      const record = population.findByPersonalId(citizen.personalId);
      expect(record).toBeDefined();
      expect(citizen).toMatchObject({ fullName: record!.fullName, dateOfBirth: record!.dateOfBirth });
    }
    expect(samples.enterprises).toHaveLength(2);
    for (const enterprise of samples.enterprises) {
      expect(registry.findEnterprise(enterprise.enterpriseCode)?.tenDoanhNghiep).toBe(enterprise.name);
    }
    expect(samples.dependentUnits).toHaveLength(2);
    for (const unit of samples.dependentUnits) {
      expect(unit.enterpriseCode).toMatch(/^[0-9]{10}-[0-9]{3}$/);
      expect(registry.findUnit(unit.enterpriseCode)?.maSoDoanhNghiepMe).toBe(unit.parentEnterpriseCode);
    }
    expect(samples.parcels).toHaveLength(2);
    for (const parcel of samples.parcels) {
      expect(land.findParcel(parcel.communeCode, parcel.mapSheetNo, parcel.parcelNo)).toBeDefined();
    }
    expect(samples.certificates).toHaveLength(2);
    for (const certificate of samples.certificates) {
      expect(land.findByCertificate(certificate.certificateNo)).toMatchObject({
        maXa: certificate.communeCode,
        soToBanDo: certificate.mapSheetNo,
        soThuaDat: certificate.parcelNo,
      });
    }
  });

  it('prints one titled block per kind, one JSON line per identifier, the same on every run', async () => {
    const lines = await run(['sample']);
    expect(lines.filter((line) => line.startsWith('# '))).toHaveLength(5);
    const rows = lines.filter((line) => !line.startsWith('# '));
    expect(rows).toHaveLength(15);
    for (const row of rows) expect(() => JSON.parse(row)).not.toThrow();
    expect(await run(['sample'])).toEqual(lines);
  });

  it('refuses a count that is not a small whole number', async () => {
    for (const count of ['0', 'abc', '1.5', '1000']) {
      await expect(run(['sample', '--count', count])).rejects.toThrow(/must be a whole number from 1 to 100/);
    }
  });
});
