import { Commune } from './admin-units';
import { Rng } from './prng';

/** Synthetic addresses below the commune: house number, street, hamlet or residential group. */

export interface StreetAddress {
  /** House number, e.g. `Số 45`, `Số 12/3`; absent for rural addresses without one. */
  houseNumber?: string;
  /** Street, e.g. `đường Lê Lợi`. */
  street?: string;
  /** Hamlet or residential group (thôn, ấp, bản, tổ dân phố, khu phố). */
  hamlet?: string;
  /** The parts joined the way they are written: `Số 45 đường Lê Lợi, Khu phố 3`. */
  detail: string;
}

const STREETS = [
  'Lê Lợi', 'Trần Hưng Đạo', 'Nguyễn Huệ', 'Hai Bà Trưng', 'Lý Thường Kiệt', 'Quang Trung', 'Nguyễn Trãi',
  'Lê Duẩn', 'Điện Biên Phủ', 'Hùng Vương', 'Phan Chu Trinh', 'Ngô Quyền', 'Trần Phú', 'Lê Lai',
  'Nguyễn Du', 'Bà Triệu', 'Võ Thị Sáu', 'Nguyễn Thị Minh Khai', 'Cách Mạng Tháng Tám', 'Lê Thánh Tông',
  'Phạm Văn Đồng', 'Nguyễn Văn Linh', 'Tôn Đức Thắng', 'Võ Nguyên Giáp', 'Hoàng Diệu', 'Lý Tự Trọng',
  'Trần Quang Khải', 'Nguyễn Chí Thanh', 'Lạc Long Quân', 'Âu Cơ', '30 Tháng 4', '2 Tháng 9',
]; // prettier-ignore

const HAMLET_NAMES = [
  'Tân Hưng', 'Phú Lợi', 'Bình An', 'Đông Hòa', 'Thạnh Mỹ', 'Long Điền', 'Hòa Thuận', 'Trung Sơn',
  'Xuân Lộc', 'Phước Hải', 'Mỹ Hòa', 'Vĩnh Phú', 'Đồng Tâm', 'Quyết Thắng', 'Thống Nhất', 'Tiền Phong',
]; // prettier-ignore

/** Southern provinces say `Ấp`, the northern uplands `Bản`, elsewhere `Thôn`. */
function hamletWord(commune: Commune, rng: Rng): string {
  const p = Number(commune.province.code);
  if (p >= 75) return 'Ấp';
  if ([4, 8, 11, 12, 14, 15, 20].includes(p) && rng.chance(0.5)) return 'Bản';
  return 'Thôn';
}

export function streetAddress(rng: Rng, commune: Commune): StreetAddress {
  if (commune.kind === 'PHUONG' || rng.chance(0.25)) {
    const base = rng.int(1, 450);
    const houseNumber = rng.chance(0.2) ? `Số ${base}/${rng.int(1, 40)}` : `Số ${base}`;
    const street = `đường ${rng.pick(STREETS)}`;
    const hamlet = rng.chance(0.4)
      ? `${rng.chance(0.5) ? 'Tổ dân phố' : 'Khu phố'} ${rng.int(1, 25)}`
      : undefined;
    return {
      houseNumber,
      street,
      ...(hamlet ? { hamlet } : {}),
      detail: `${houseNumber} ${street}${hamlet ? `, ${hamlet}` : ''}`,
    };
  }
  const hamlet = rng.chance(0.5)
    ? `${hamletWord(commune, rng)} ${rng.pick(HAMLET_NAMES)}`
    : `${hamletWord(commune, rng)} ${rng.int(1, 15)}`;
  return { hamlet, detail: hamlet };
}

/** Vietnamese text without diacritics, e.g. for names in a foreign language: `Đông Hòa` -> `Dong Hoa`. */
export function withoutDiacritics(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/đ/g, 'd')
    .replace(/Đ/g, 'D');
}
