import { PROVINCES, ProvinceEntry } from '@lienthong/domain';
import { Rng, rngFor } from './prng';

/**
 * A synthetic catalogue of the 3,321 commune-level units on the two-level scheme in force since
 * 1 July 2025 (34 provinces, no districts). Province codes and names are the real ones; commune codes
 * and names are invented but well-formed: 5 digits, unique nationwide, ordered by province the way the
 * national list is (codes of a province lie in one block, and the block grows with the province code),
 * and each commune keeps a 2004-scheme district and commune code as merged units do. Special zones
 * (đặc khu) are the real ones. The catalogue does not depend on any seed, so every simulator agrees on it.
 */

export type CommuneKind = 'XA' | 'PHUONG' | 'DAC_KHU';

export interface Commune {
  /** Current 5-digit code. */
  readonly code: string;
  /** Full name with its level, e.g. `Xã Tân Hưng`, `Phường An Phú`, `Đặc khu Côn Đảo`. */
  readonly name: string;
  readonly kind: CommuneKind;
  readonly province: ProvinceEntry;
  /** 2004-scheme district code (3 digits) of the unit the commune kept its code from. */
  readonly legacyDistrictCode: string;
  /** 2004-scheme code of a predecessor commune merged into this one (differs from `code`). */
  readonly legacyCommuneCode: string;
}

export const COMMUNE_TOTAL = 3321;

/** Approximate relative number of communes per province after the 2025 reorganisation. */
const RELATIVE_SIZE: Record<string, number> = {
  '01': 126, '04': 56, '08': 124, '11': 45, '12': 38, '14': 75, '15': 99, '19': 92, '20': 65,
  '22': 54, '24': 99, '25': 148, '31': 114, '33': 104, '37': 129, '38': 166, '40': 130, '42': 69,
  '44': 78, '46': 40, '48': 94, '51': 96, '52': 135, '56': 65, '66': 102, '68': 124, '75': 95,
  '79': 168, '80': 96, '82': 102, '86': 124, '91': 102, '92': 103, '96': 64,
}; // prettier-ignore

/** The special zones (đặc khu) created on 1 July 2025, by province. */
const SPECIAL_ZONES: Record<string, readonly string[]> = {
  '22': ['Vân Đồn', 'Cô Tô'],
  '31': ['Cát Hải', 'Bạch Long Vĩ'],
  '44': ['Cồn Cỏ'],
  '48': ['Hoàng Sa'],
  '51': ['Lý Sơn'],
  '56': ['Trường Sa'],
  '68': ['Phú Quý'],
  '79': ['Côn Đảo'],
  '91': ['Phú Quốc', 'Kiên Hải', 'Thổ Châu'],
};

/** Syllables common in Vietnamese commune names. */
const NAME_PARTS = [
  'An', 'Bình', 'Hòa', 'Phú', 'Tân', 'Long', 'Thạnh', 'Hưng', 'Phước', 'Thuận', 'Đông', 'Tây', 'Nam',
  'Bắc', 'Trung', 'Sơn', 'Hải', 'Thủy', 'Lâm', 'Cẩm', 'Quang', 'Minh', 'Vĩnh', 'Xuân', 'Hiệp', 'Lợi',
  'Đức', 'Thịnh', 'Phong', 'Mỹ', 'Lộc', 'Hà', 'Kim', 'Ngọc', 'Thanh', 'Gia', 'Khánh', 'Định', 'Lạc',
  'Yên', 'Việt', 'Hồng', 'Tiến', 'Thắng', 'Lập', 'Hội', 'Châu', 'Quý', 'Thái', 'Hậu', 'Điền', 'Tường',
  'Nghĩa', 'Hiếu', 'Trường', 'Thành', 'Cường', 'Đạo', 'Khê', 'Lĩnh',
]; // prettier-ignore

let catalogue: readonly Commune[] | undefined;
let byCode: ReadonlyMap<string, Commune> | undefined;
let byProvince: ReadonlyMap<string, readonly Commune[]> | undefined;

function countsPerProvince(): Map<string, number> {
  const total = PROVINCES.reduce((sum, p) => sum + (RELATIVE_SIZE[p.code] ?? 90), 0);
  const counts = new Map<string, number>();
  let assigned = 0;
  for (const p of PROVINCES) {
    const count = Math.max(1, Math.round(((RELATIVE_SIZE[p.code] ?? 90) * COMMUNE_TOTAL) / total));
    counts.set(p.code, count);
    assigned += count;
  }
  // Put the rounding difference on the largest province so the total is exact.
  const largest = [...counts.entries()].sort((x, y) => y[1] - x[1])[0][0];
  counts.set(largest, (counts.get(largest) as number) + COMMUNE_TOTAL - assigned);
  return counts;
}

function communeName(rng: Rng, kind: CommuneKind, used: Set<string>): string {
  for (;;) {
    const first = rng.pick(NAME_PARTS);
    const second = rng.pick(NAME_PARTS);
    if (first === second) continue;
    const base = `${first} ${second}`;
    if (used.has(base)) continue;
    used.add(base);
    return `${kind === 'PHUONG' ? 'Phường' : 'Xã'} ${base}`;
  }
}

function build(): readonly Commune[] {
  const counts = countsPerProvince();
  const provinces = [...PROVINCES].sort((x, y) => Number(x.code) - Number(y.code));
  const out: Commune[] = [];
  provinces.forEach((province, index) => {
    const p = Number(province.code);
    const next = index + 1 < provinces.length ? Number(provinces[index + 1].code) : 298;
    const base = (p - 1) * 336 + 1;
    const count = counts.get(province.code) as number;
    const step = Math.max(1, Math.min(3, Math.floor(((next - p) * 336) / count)));
    const zones = SPECIAL_ZONES[province.code] ?? [];
    const urbanShare = province.type === 'CITY' ? 0.45 : 0.12;
    const rng = rngFor(0, `communes:${province.code}`);
    const used = new Set<string>(zones);
    for (let k = 0; k < count; k++) {
      const value = base + k * step;
      const code = String(value).padStart(5, '0');
      const zone = k >= count - zones.length ? zones[k - (count - zones.length)] : undefined;
      const kind: CommuneKind = zone ? 'DAC_KHU' : rng.chance(urbanShare) ? 'PHUONG' : 'XA';
      const name = zone ? `Đặc khu ${zone}` : communeName(rng, kind, used);
      const legacyDistrict = String(p * 10 + (Math.floor(k / 12) % 10)).padStart(3, '0');
      const legacyCommune = String(step > 1 ? value + 1 : value).padStart(5, '0');
      out.push(
        Object.freeze({
          code,
          name,
          kind,
          province,
          legacyDistrictCode: legacyDistrict,
          legacyCommuneCode: legacyCommune,
        }),
      );
    }
  });
  return Object.freeze(out);
}

/** Every commune, ordered by code. Built on first use (a few milliseconds). */
export function communes(): readonly Commune[] {
  catalogue ??= build();
  return catalogue;
}

export function findCommune(code: string): Commune | undefined {
  byCode ??= new Map(communes().map((c) => [c.code, c]));
  return byCode.get(code);
}

export function communesOfProvince(provinceCode: string): readonly Commune[] {
  if (!byProvince) {
    const map = new Map<string, Commune[]>();
    for (const c of communes()) {
      const list = map.get(c.province.code) ?? [];
      list.push(c);
      map.set(c.province.code, list);
    }
    byProvince = map;
  }
  return byProvince.get(provinceCode) ?? [];
}

/** `Thành phố Hà Nội`, `Tỉnh Cà Mau`: the province's name with its level, as written in addresses. */
export function provinceFullName(province: ProvinceEntry): string {
  if (province.code === '79') return 'Thành phố Hồ Chí Minh';
  return `${province.type === 'CITY' ? 'Thành phố' : 'Tỉnh'} ${province.name}`;
}
