import { BIRTH_REGISTRATION_PROVINCES } from '@lienthong/domain';
import { Rng } from './prng';

/** Synthetic Vietnamese people: names with diacritics and personal ID numbers that pass validation. */

export type SyntheticSex = 'MALE' | 'FEMALE';

export interface SyntheticPerson {
  fullName: string;
  sex: SyntheticSex;
  /** YYYY-MM-DD */
  dateOfBirth: string;
  /** 12-digit personal ID consistent with the date of birth and sex. */
  personalId: string;
  /** 9-digit legacy identity card (CMND), for people old enough to have had one. */
  legacyIdCard?: string;
}

/** Family names weighted roughly by their frequency. */
const FAMILY_NAMES: readonly (readonly [string, number])[] = [
  ['Nguyễn', 38], ['Trần', 11], ['Lê', 9.5], ['Phạm', 7], ['Hoàng', 3], ['Huỳnh', 2.1], ['Phan', 4.5],
  ['Vũ', 2], ['Võ', 1.9], ['Đặng', 2.1], ['Bùi', 2], ['Đỗ', 1.4], ['Hồ', 1.3], ['Ngô', 1.3], ['Dương', 1],
  ['Lý', 0.5], ['Đinh', 0.6], ['Trương', 0.6], ['Lương', 0.4], ['Mai', 0.4], ['Tạ', 0.3], ['Cao', 0.3],
]; // prettier-ignore

const MIDDLE_NAMES: Record<SyntheticSex, readonly string[]> = {
  MALE: ['Văn', 'Văn', 'Văn', 'Hữu', 'Đức', 'Minh', 'Quốc', 'Thành', 'Công', 'Xuân', 'Ngọc', 'Quang', 'Anh', 'Tuấn', 'Gia'],
  FEMALE: ['Thị', 'Thị', 'Thị', 'Ngọc', 'Thu', 'Thanh', 'Kim', 'Mỹ', 'Hồng', 'Phương', 'Bảo', 'Minh', 'Khánh', 'Diệu'],
}; // prettier-ignore

const GIVEN_NAMES: Record<SyntheticSex, readonly string[]> = {
  MALE: [
    'An', 'Anh', 'Bảo', 'Bình', 'Cường', 'Dũng', 'Duy', 'Đạt', 'Đức', 'Giang', 'Hải', 'Hiếu', 'Hòa', 'Hoàng',
    'Hùng', 'Huy', 'Khang', 'Khoa', 'Kiên', 'Lâm', 'Long', 'Lộc', 'Minh', 'Nam', 'Nghĩa', 'Nhân', 'Phát',
    'Phong', 'Phúc', 'Quân', 'Quang', 'Sơn', 'Tài', 'Thắng', 'Thành', 'Thịnh', 'Toàn', 'Trung', 'Tuấn',
    'Tùng', 'Việt', 'Vinh', 'Vũ',
  ],
  FEMALE: [
    'An', 'Anh', 'Chi', 'Dung', 'Duyên', 'Giang', 'Hà', 'Hạnh', 'Hằng', 'Hoa', 'Hồng', 'Huệ', 'Hương',
    'Lan', 'Linh', 'Loan', 'Mai', 'My', 'Nga', 'Ngân', 'Ngọc', 'Nhung', 'Oanh', 'Phương', 'Quyên', 'Quỳnh',
    'Tâm', 'Thảo', 'Thu', 'Thúy', 'Trang', 'Trinh', 'Tuyết', 'Uyên', 'Vân', 'Vy', 'Xuân', 'Yến', 'Em',
  ],
}; // prettier-ignore

/** A full name: family name, middle name, given name. */
export function personName(rng: Rng, sex: SyntheticSex): string {
  return `${rng.weighted(FAMILY_NAMES)} ${rng.pick(MIDDLE_NAMES[sex])} ${rng.pick(GIVEN_NAMES[sex])}`;
}

/**
 * A personal ID `PPP G YY RRRRRR`: birth-registration code, century-and-sex digit, birth year, random part.
 * `birthPlaceCode` defaults to a random built-in birth-registration code.
 */
export function personalIdFor(
  rng: Rng,
  birthYear: number,
  sex: SyntheticSex,
  birthPlaceCode = rng.pick(BIRTH_REGISTRATION_PROVINCES).code,
): string {
  const centuryIndex = Math.floor((birthYear - 1900) / 100);
  if (centuryIndex < 0 || centuryIndex > 4)
    throw new RangeError(`birth year ${birthYear} has no century digit`);
  const g = centuryIndex * 2 + (sex === 'FEMALE' ? 1 : 0);
  return `${birthPlaceCode}${g}${String(birthYear % 100).padStart(2, '0')}${rng.digits(6)}`;
}

/** A person born between `minYear` and `maxYear` (both included). */
export function syntheticPerson(
  rng: Rng,
  options: { minYear?: number; maxYear?: number; sex?: SyntheticSex } = {},
): SyntheticPerson {
  const sex = options.sex ?? (rng.chance(0.5) ? 'MALE' : 'FEMALE');
  const year = rng.int(options.minYear ?? 1950, options.maxYear ?? 2004);
  const month = rng.int(1, 12);
  const day = rng.int(1, 28);
  const dateOfBirth = `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
  const fullName = personName(rng, sex);
  const personalId = personalIdFor(rng, year, sex);
  const legacyIdCard = year < 1995 && rng.chance(0.5) ? rng.digits(9).replace(/^0/, '1') : undefined;
  return { fullName, sex, dateOfBirth, personalId, ...(legacyIdCard ? { legacyIdCard } : {}) };
}
