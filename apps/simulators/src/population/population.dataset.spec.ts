import { PROVINCES, validatePersonalId } from '@lienthong/domain';
import {
  createPopulationDataset,
  LEGACY_TO_CURRENT_PROVINCE,
  MillionPermutation,
  sampleCitizens,
} from './population.dataset';

describe('synthetic population register', () => {
  const dataset = createPopulationDataset({ seed: 'spec', size: 300_000 });

  // How fast it is belongs to the benchmarks; here only that lookups need no index built first.
  it('finds any of 300,000 citizens by personal ID straight after creation', () => {
    const big = createPopulationDataset({ seed: 'lookup', size: 300_000 });
    for (let i = 0; i < 20_000; i++) {
      const citizen = big.citizenAt((i * 15_013) % 300_000);
      expect(big.findByPersonalId(citizen.personalId)).toEqual(citizen);
    }
  });

  it('gives every citizen a personal ID that is valid and consistent with the date of birth and sex', () => {
    for (let i = 0; i < 300_000; i += 7) {
      const c = dataset.citizenAt(i);
      const dateOfBirth = c.dateOfBirth.length === 10 ? c.dateOfBirth : undefined;
      const result = validatePersonalId(c.personalId, { dateOfBirth, sex: c.sex });
      if (!result.valid) throw new Error(`citizen ${i}: ${JSON.stringify(result.errors)}`);
      expect(c.personalId.slice(4, 6)).toBe(c.dateOfBirth.slice(2, 4));
    }
  });

  it('maps each personal ID back to its citizen, and unknown numbers to nobody', () => {
    const seen = new Set<string>();
    let wrong = 0;
    for (let i = 0; i < 300_000; i += 3) {
      const { personalId } = dataset.citizenAt(i);
      seen.add(personalId);
      if (i % 30 === 0 && dataset.findByPersonalId(personalId)?.index !== i) wrong++;
    }
    expect(seen.size).toBe(100_000);
    expect(wrong).toBe(0);
    const known = dataset.citizenAt(42).personalId;
    const otherYear =
      known.slice(0, 4) + String((Number(known.slice(4, 6)) + 1) % 100).padStart(2, '0') + known.slice(6);
    expect(dataset.findByPersonalId(otherYear)).toBeUndefined();
    expect(dataset.findByPersonalId('not-an-id')).toBeUndefined();
    expect(
      createPopulationDataset({ seed: 'spec', size: 10 }).findByPersonalId(
        dataset.citizenAt(299_999).personalId,
      ),
    ).toBeUndefined();
  });

  it('is deterministic for a seed and different for another', () => {
    expect(createPopulationDataset({ seed: 'spec' }).citizenAt(1234)).toEqual(dataset.citizenAt(1234));
    expect(createPopulationDataset({ seed: 'other' }).citizenAt(1234).personalId).not.toBe(
      dataset.citizenAt(1234).personalId,
    );
  });

  it('writes Vietnamese names with diacritics in NFC and addresses on the current two-level units', () => {
    const families = new Set<string>();
    const provinceCodes = new Set(PROVINCES.map((p) => p.code));
    let withCard = 0;
    let partialDates = 0;
    for (let i = 0; i < 5_000; i++) {
      const c = dataset.citizenAt(i);
      expect(c.fullName.normalize('NFC')).toBe(c.fullName);
      expect(c.fullName.split(' ').length).toBeGreaterThanOrEqual(3);
      families.add(c.fullName.split(' ')[0]);
      for (const a of [c.placeOfOrigin, c.permanentResidence, c.currentResidence]) {
        expect(provinceCodes.has(a.provinceCode)).toBe(true);
        expect(a.communeCode).toMatch(/^[0-9]{5}$/);
      }
      if (c.legacyIdCard) {
        withCard++;
        expect(c.legacyIdCard).toMatch(/^[0-9]{9}$/);
        expect(Number(c.dateOfBirth.slice(0, 4))).toBeLessThanOrEqual(1997);
      }
      if (c.dateOfBirth.length < 10) partialDates++;
    }
    for (const name of ['Nguyễn', 'Trần', 'Lê', 'Phạm', 'Hoàng', 'Huỳnh', 'Vũ', 'Võ', 'Đặng', 'Đỗ']) {
      expect(families).toContain(name);
    }
    expect(withCard).toBeGreaterThan(500);
    expect(partialDates).toBeGreaterThan(10);
  });

  it('maps every 2004 province to one of the 34 current ones', () => {
    const current = new Set(PROVINCES.map((p) => p.code));
    expect(Object.keys(LEGACY_TO_CURRENT_PROVINCE)).toHaveLength(63);
    expect(new Set(Object.values(LEGACY_TO_CURRENT_PROVINCE)).size).toBe(34);
    for (const code of Object.values(LEGACY_TO_CURRENT_PROVINCE)) expect(current.has(code)).toBe(true);
  });

  it('scatters record numbers over the six random digits as a bijection', () => {
    const permutation = new MillionPermutation('spec', 'test');
    const seen = new Uint8Array(1_000_000);
    let collisions = 0;
    let wrongInverses = 0;
    for (let n = 0; n < 1_000_000; n++) {
      const y = permutation.forward(n);
      collisions += seen[y];
      seen[y] = 1;
      if (n % 997 === 0 && permutation.inverse(y) !== n) wrongInverses++;
    }
    expect(collisions).toBe(0);
    expect(wrongInverses).toBe(0);
  });

  it('samples citizens spread over the register for `lienthong sim sample`', () => {
    const sample = sampleCitizens(5, { seed: 'spec', size: 300_000 });
    expect(sample).toHaveLength(5);
    expect(new Set(sample.map((c) => c.personalId)).size).toBe(5);
    expect(sample.map((c) => c.index)).toEqual([30_000, 90_000, 150_000, 210_000, 270_000]);
  });

  it('refuses sizes it cannot encode', () => {
    expect(() => createPopulationDataset({ size: 1_000_001 })).toThrow(RangeError);
    expect(() => dataset.citizenAt(300_000)).toThrow(RangeError);
  });
});
