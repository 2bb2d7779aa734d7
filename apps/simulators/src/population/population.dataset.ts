import { BIRTH_REGISTRATION_PROVINCES, findProvince, PROVINCES, ProvinceEntry } from '@lienthong/domain';
import { streetAddress } from '../shared/addresses';
import { Commune, communesOfProvince, provinceFullName } from '../shared/admin-units';
import { personName, SyntheticSex } from '../shared/people';
import { DEFAULT_SEED, mix32, Rng, rngFor, Seed, seedToInt } from '../shared/prng';

/**
 * Synthetic population register: citizen i is derived from (seed, i) alone, so a dataset of any size costs
 * no memory and no start-up time, and every process with the same seed sees the same people.
 *
 * Personal IDs `PPP G YY RRRRRR` are valid per docs/domain.md: PPP a birth-registration code, G and YY from the
 * date of birth and sex. The random part RRRRRR is a seeded permutation of the record number, so a lookup
 * by personal ID maps back to the record number (and a number whose other digits do not match is simply
 * not in the register). Hence at most 1,000,000 citizens per dataset.
 */

export const DEFAULT_POPULATION_SIZE = 300_000;
export const MAX_POPULATION_SIZE = 1_000_000;

/** Birth years are drawn from this range, so every ID stays valid whatever today's date is. */
const EARLIEST_BIRTH_YEAR = 1930;
const LATEST_BIRTH_YEAR = 2024;
/** Ages are computed against this year, so records do not change with the calendar. */
const REFERENCE_YEAR = 2025;

export interface PopulationAddress {
  provinceCode: string;
  provinceName: string;
  communeCode: string;
  communeName: string;
  /** Below the commune: house number and street, or hamlet; absent for some places of origin. */
  detail?: string;
}

export interface HouseholdHeadRecord {
  fullName: string;
  /** Present when the citizen is the head. */
  personalId?: string;
  /** The citizen's relationship to the head: `Chủ hộ`, `Vợ`, `Chồng`, `Con`. */
  relationship: string;
}

/** One citizen as the population register holds it. */
export interface PopulationRecord {
  index: number;
  personalId: string;
  /** 9-digit legacy identity card (CMND), for some citizens born before 1998. */
  legacyIdCard?: string;
  fullName: string;
  sex: SyntheticSex;
  /** `YYYY-MM-DD`, or `YYYY-MM` / `YYYY` when the register holds only part of the date. */
  dateOfBirth: string;
  nationality: 'VN';
  ethnicity: string;
  religion: string;
  placeOfOrigin: PopulationAddress;
  permanentResidence: PopulationAddress;
  currentResidence: PopulationAddress;
  fatherName?: string;
  motherName?: string;
  spouseName?: string;
  householdHead: HouseholdHeadRecord;
}

export interface PopulationDatasetOptions {
  seed?: Seed;
  /** Number of citizens, at most MAX_POPULATION_SIZE (default 300,000). */
  size?: number;
}

export interface PopulationDataset {
  readonly seed: Seed;
  readonly size: number;
  /** Citizen number `index` (0 <= index < size). */
  citizenAt(index: number): PopulationRecord;
  /** The citizen with this personal ID, or undefined when the register has none. */
  findByPersonalId(personalId: string): PopulationRecord | undefined;
  /** `count` citizens spread evenly over the register. */
  sample(count: number): PopulationRecord[];
}

/**
 * The province each 2004-scheme province belongs to since 1 July 2025 (Resolution 202/2025/QH15); a
 * merged province kept one predecessor's code.
 */
export const LEGACY_TO_CURRENT_PROVINCE: Readonly<Record<string, string>> = Object.freeze({
  '01': '01', '02': '08', '04': '04', '06': '19', '08': '08', '10': '15', '11': '11', '12': '12',
  '14': '14', '15': '15', '17': '25', '19': '19', '20': '20', '22': '22', '24': '24', '25': '25',
  '26': '25', '27': '24', '30': '31', '31': '31', '33': '33', '34': '33', '35': '37', '36': '37',
  '37': '37', '38': '38', '40': '40', '42': '42', '44': '44', '45': '44', '46': '46', '48': '48',
  '49': '48', '51': '51', '52': '52', '54': '66', '56': '56', '58': '56', '60': '68', '62': '51',
  '64': '52', '66': '66', '67': '68', '68': '68', '70': '75', '72': '80', '74': '79', '75': '75',
  '77': '79', '79': '79', '80': '80', '82': '82', '83': '86', '84': '86', '86': '86', '87': '82',
  '89': '91', '91': '91', '92': '92', '93': '92', '94': '92', '95': '96', '96': '96',
}); // prettier-ignore

/** Where births were registered, weighted roughly by population. */
const BIRTH_PLACE_WEIGHTS: readonly (readonly [string, number])[] = BIRTH_REGISTRATION_PROVINCES.map((p) => [
  p.code,
  ({ '001': 8.5, '079': 9.5, '038': 3.7, '040': 3.4 } as Record<string, number>)[p.code] ?? 1.3,
]);

/** Where people live now, weighted: the two large cities draw many residents from elsewhere. */
const RESIDENCE_WEIGHTS: readonly (readonly [string, number])[] = PROVINCES.map((p) => [
  p.code,
  ({ '79': 12, '01': 9, '75': 3.5, '31': 3, '48': 2 } as Record<string, number>)[p.code] ?? 1,
]);

/** Births per decade, relative (a rough population pyramid). */
const BIRTH_DECADES: readonly (readonly [number, number])[] = [
  [1930, 1], [1940, 3], [1950, 6], [1960, 10], [1970, 13], [1980, 15], [1990, 16], [2000, 15],
  [2010, 15], [2020, 6],
]; // prettier-ignore

const ETHNICITIES: readonly (readonly [string, number])[] = [
  ['Kinh', 85.3], ['Tày', 1.9], ['Thái', 1.9], ['Mường', 1.5], ['Khmer', 1.4], ['Mông', 1.5],
  ['Nùng', 1.1], ['Dao', 0.9], ['Hoa', 0.8], ['Gia Rai', 0.5], ['Ê Đê', 0.4], ['Ba Na', 0.3],
  ['Chăm', 0.2], ['Sán Dìu', 0.2], ['Xơ Đăng', 0.2],
]; // prettier-ignore

const RELIGIONS: readonly (readonly [string, number])[] = [
  ['Không', 82], ['Phật giáo', 8], ['Công giáo', 6.5], ['Tin lành', 1], ['Cao Đài', 1.2],
  ['Phật giáo Hòa Hảo', 1.3],
]; // prettier-ignore

/** First two digits of a 9-digit identity card: the issuing province's series. */
const ID_CARD_SERIES = Array.from({ length: 38 }, (_, i) => String(i + 1).padStart(2, '0'));

export function createPopulationDataset(options: PopulationDatasetOptions = {}): PopulationDataset {
  const seed = options.seed ?? DEFAULT_SEED;
  const size = options.size ?? DEFAULT_POPULATION_SIZE;
  if (!Number.isInteger(size) || size < 1 || size > MAX_POPULATION_SIZE) {
    throw new RangeError(`population size must be an integer in [1, ${MAX_POPULATION_SIZE}], got ${size}`);
  }
  const idPermutation = new MillionPermutation(seed, 'population:personal-id');
  const cardPermutation = new MillionPermutation(seed, 'population:id-card');

  function citizenAt(index: number): PopulationRecord {
    if (!Number.isInteger(index) || index < 0 || index >= size) {
      throw new RangeError(`citizen index ${index} is outside [0, ${size})`);
    }
    const rng = rngFor(seed, 'population:citizen', index);
    const sex: SyntheticSex = rng.chance(0.5) ? 'MALE' : 'FEMALE';
    const decade = rng.weighted(BIRTH_DECADES);
    const year = Math.min(LATEST_BIRTH_YEAR, Math.max(EARLIEST_BIRTH_YEAR, decade + rng.int(0, 9)));
    const month = rng.int(1, 12);
    const day = rng.int(1, daysInMonth(year, month));
    const dateOfBirth = partialDateOfBirth(rng, year, month, day);
    const age = REFERENCE_YEAR - year;

    const birthPlace = rng.weighted(BIRTH_PLACE_WEIGHTS);
    const g = Math.floor((year - 1900) / 100) * 2 + (sex === 'FEMALE' ? 1 : 0);
    const personalId =
      birthPlace +
      g +
      String(year % 100).padStart(2, '0') +
      String(idPermutation.forward(index)).padStart(6, '0');
    const legacyIdCard =
      year <= 1997 && rng.chance(0.45)
        ? rng.pick(ID_CARD_SERIES) + rng.digits(1) + String(cardPermutation.forward(index)).padStart(6, '0')
        : undefined;

    const fullName = personName(rng, sex);
    const familyName = fullName.split(' ')[0];
    const fatherName = rng.chance(0.97)
      ? `${familyName} ${personName(rng, 'MALE').split(' ').slice(1).join(' ')}`
      : undefined;
    const motherName = rng.chance(0.98) ? personName(rng, 'FEMALE') : undefined;
    const marriedChance = age < 20 ? 0 : age < 25 ? 0.25 : age < 30 ? 0.55 : 0.8;
    const spouseName = rng.chance(marriedChance)
      ? personName(rng, sex === 'MALE' ? 'FEMALE' : 'MALE')
      : undefined;

    const originProvince = rng.chance(0.7)
      ? (findProvince(LEGACY_TO_CURRENT_PROVINCE[birthPlace.slice(1)]) as ProvinceEntry)
      : rng.pick(PROVINCES);
    const placeOfOrigin = address(rng, originProvince, rng.chance(0.5));
    const residenceProvince = rng.chance(0.6)
      ? originProvince
      : (findProvince(rng.weighted(RESIDENCE_WEIGHTS)) as ProvinceEntry);
    const permanentResidence = address(rng, residenceProvince, true);
    const moved = rng.next();
    const currentResidence =
      moved < 0.82
        ? permanentResidence
        : address(
            rng,
            moved < 0.92
              ? residenceProvince
              : (findProvince(rng.weighted(RESIDENCE_WEIGHTS)) as ProvinceEntry),
            true,
          );

    let householdHead: HouseholdHeadRecord;
    const parent = fatherName ?? motherName;
    if (parent && (age < 18 || (!spouseName && age < 30 && rng.chance(0.7)))) {
      householdHead = { fullName: parent, relationship: 'Con' };
    } else if (spouseName && sex === 'FEMALE' && rng.chance(0.65)) {
      householdHead = { fullName: spouseName, relationship: 'Vợ' };
    } else if (spouseName && sex === 'MALE' && rng.chance(0.1)) {
      householdHead = { fullName: spouseName, relationship: 'Chồng' };
    } else {
      householdHead = { fullName, personalId, relationship: 'Chủ hộ' };
    }

    return {
      index,
      personalId,
      ...(legacyIdCard ? { legacyIdCard } : {}),
      fullName,
      sex,
      dateOfBirth,
      nationality: 'VN',
      ethnicity: rng.weighted(ETHNICITIES),
      religion: rng.weighted(RELIGIONS),
      placeOfOrigin,
      permanentResidence,
      currentResidence,
      ...(fatherName ? { fatherName } : {}),
      ...(motherName ? { motherName } : {}),
      ...(spouseName ? { spouseName } : {}),
      householdHead,
    };
  }

  function findByPersonalId(personalId: string): PopulationRecord | undefined {
    if (typeof personalId !== 'string' || !/^[0-9]{12}$/.test(personalId)) return undefined;
    const index = idPermutation.inverse(Number(personalId.slice(6)));
    if (index >= size) return undefined;
    const record = citizenAt(index);
    return record.personalId === personalId ? record : undefined;
  }

  function sample(count: number): PopulationRecord[] {
    const n = Math.max(0, Math.min(Math.floor(count), size));
    return Array.from({ length: n }, (_, k) => citizenAt(Math.floor(((k + 0.5) * size) / n)));
  }

  return { seed, size, citizenAt, findByPersonalId, sample };
}

/** A few citizens of the default register (or of the given one), for `lienthong sim sample`. */
export function sampleCitizens(count: number, options: PopulationDatasetOptions = {}): PopulationRecord[] {
  return createPopulationDataset(options).sample(count);
}

/**
 * A keyed bijection of [0, 1,000,000) (a four-round Feistel network on two base-1000 halves): scatters record
 * numbers over the six random digits of an identifier so that neighbouring records look unrelated, and maps
 * an identifier back to its record number.
 */
export class MillionPermutation {
  private readonly keys: number[];

  constructor(seed: Seed, stream: string) {
    const base = seedToInt(seed);
    this.keys = [1, 2, 3, 4].map((round) =>
      mix32(base, round, stream.length, ...[...stream].map((c) => c.charCodeAt(0))),
    );
  }

  forward(n: number): number {
    let left = Math.floor(n / 1000);
    let right = n % 1000;
    for (const key of this.keys) {
      [left, right] = [right, (left + (mix32(right, key) % 1000)) % 1000];
    }
    return left * 1000 + right;
  }

  inverse(y: number): number {
    let left = Math.floor(y / 1000);
    let right = y % 1000;
    for (let k = this.keys.length - 1; k >= 0; k--) {
      [left, right] = [(right - (mix32(left, this.keys[k]) % 1000) + 1000) % 1000, left];
    }
    return left * 1000 + right;
  }
}

function partialDateOfBirth(rng: Rng, year: number, month: number, day: number): string {
  const mm = String(month).padStart(2, '0');
  const full = `${year}-${mm}-${String(day).padStart(2, '0')}`;
  if (year >= 1960) return full;
  const r = rng.next();
  if (r < 0.08) return String(year);
  if (r < 0.12) return `${year}-${mm}`;
  return full;
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function address(rng: Rng, province: ProvinceEntry, withDetail: boolean): PopulationAddress {
  const commune: Commune = rng.pick(communesOfProvince(province.code));
  return {
    provinceCode: province.code,
    provinceName: provinceFullName(province),
    communeCode: commune.code,
    communeName: commune.name,
    ...(withDetail ? { detail: streetAddress(rng, commune).detail } : {}),
  };
}
