import { computeEnterpriseCheckDigit, PROVINCES, ProvinceEntry } from '@lienthong/domain';
import { withoutDiacritics, streetAddress } from '../shared/addresses';
import { Commune, communesOfProvince, provinceFullName } from '../shared/admin-units';
import { syntheticPerson } from '../shared/people';
import { AffinePermutation, DEFAULT_SEED, RecordStream, Rng, Seed } from '../shared/prng';
import {
  DiaChiWire,
  DoanhNghiepWire,
  DonViPhuThuocWire,
  LEGAL_FORM_WIRE,
  LegalFormWireCode,
  NguoiDaiDienWire,
  STATUS_WIRE,
  StatusWireCode,
  UNIT_KIND_WIRE,
  UnitKindWireCode,
} from './business-registry.wire';

/**
 * Synthetic enterprises, derived record by record from (seed, index): nothing is stored, a lookup decodes
 * the record number from the code and regenerates the record.
 *
 * Codes: two digits of a tax-office prefix (01 Hà Nội, 03 TP Hồ Chí Minh, ...), seven digits that scatter
 * the record number over the code space (an affine permutation of index·16 + attempt), and the check digit.
 * A prefix whose check digit does not exist (the formula yields 10) is skipped by moving to the next attempt.
 * A small share of records (`legacyShare`) deliberately keeps such a prefix, with an arbitrary tenth digit,
 * like real codes issued before the rule: they exist in the registry but fail the check digit.
 * About 20% of enterprises have 1 to 3 dependent units, coded `<parent>-001` ... `<parent>-003`.
 */

export const DEFAULT_ENTERPRISE_COUNT = 200_000;
/** The body of a code has 7 digits; each record may use up to ATTEMPTS of them. */
const ATTEMPTS = 16;
const BODY_SPACE = 10_000_000;
export const MAX_ENTERPRISE_COUNT = Math.floor(BODY_SPACE / ATTEMPTS);

/** Date the synthetic registry describes; dates in records never pass it. */
export const REGISTRY_AS_OF = '2026-10-31';

interface TaxPrefix {
  prefix: string;
  /** Current province of head offices with this prefix. */
  provinceCode: string;
  weight: number;
}

const TAX_PREFIXES: readonly TaxPrefix[] = [
  { prefix: '01', provinceCode: '01', weight: 30 },
  { prefix: '03', provinceCode: '79', weight: 30 },
  { prefix: '02', provinceCode: '31', weight: 6 },
  { prefix: '04', provinceCode: '48', weight: 4 },
  { prefix: '37', provinceCode: '79', weight: 6 },
  { prefix: '36', provinceCode: '75', weight: 5 },
  { prefix: '23', provinceCode: '24', weight: 3 },
  { prefix: '57', provinceCode: '22', weight: 3 },
  { prefix: '18', provinceCode: '92', weight: 3 },
  { prefix: '28', provinceCode: '38', weight: 3 },
  { prefix: '29', provinceCode: '40', weight: 3 },
  { prefix: '42', provinceCode: '56', weight: 2 },
  { prefix: '58', provinceCode: '68', weight: 2 },
];
const PREFIX_WEIGHTS = TAX_PREFIXES.map((p) => [p, p.weight] as const);
const PREFIX_BY_CODE = new Map(TAX_PREFIXES.map((p) => [p.prefix, p]));

/** Business lines: Vietnamese, English (for foreign names), main VSIC code and label. */
const BUSINESS_LINES: readonly (readonly [string, string, string, string])[] = [
  ['Thương mại Dịch vụ', 'Trading Service', '4690', 'Bán buôn tổng hợp'],
  ['Xây dựng', 'Construction', '4100', 'Xây dựng nhà các loại'],
  ['Đầu tư Xây dựng', 'Construction Investment', '4100', 'Xây dựng nhà các loại'],
  ['Công nghệ Thông tin', 'Information Technology', '6201', 'Lập trình máy vi tính'],
  ['Phần mềm', 'Software', '6201', 'Lập trình máy vi tính'],
  ['Vận tải', 'Transport', '4933', 'Vận tải hàng hóa bằng đường bộ'],
  ['Logistics', 'Logistics', '5229', 'Hoạt động dịch vụ hỗ trợ khác liên quan đến vận tải'],
  ['Xuất nhập khẩu', 'Import Export', '4610', 'Đại lý, môi giới, đấu giá hàng hóa'],
  ['Du lịch Khách sạn', 'Tourism Hotel', '5510', 'Dịch vụ lưu trú ngắn ngày'],
  ['Tư vấn Thiết kế', 'Design Consultancy', '7110', 'Hoạt động kiến trúc và tư vấn kỹ thuật có liên quan'],
  ['Bất động sản', 'Real Estate', '6810', 'Kinh doanh bất động sản, quyền sử dụng đất thuộc chủ sở hữu, chủ sử dụng hoặc đi thuê'],
  ['Dược phẩm', 'Pharmaceutical', '2100', 'Sản xuất thuốc, hoá dược và dược liệu'],
  ['May mặc', 'Garment', '1410', 'May trang phục (trừ trang phục từ da lông thú)'],
  ['Thủy sản', 'Seafood', '1020', 'Chế biến, bảo quản thủy sản và các sản phẩm từ thủy sản'],
  ['Năng lượng', 'Energy', '3511', 'Sản xuất điện'],
  ['Giáo dục', 'Education', '8559', 'Giáo dục khác chưa được phân vào đâu'],
]; // prettier-ignore

const BRAND_PARTS = [
  'An', 'Phát', 'Hoàng', 'Long', 'Minh', 'Khang', 'Thành', 'Đạt', 'Phú', 'Thịnh', 'Việt', 'Tiến', 'Sao',
  'Mai', 'Đại', 'Dương', 'Trường', 'Sơn', 'Kim', 'Hưng', 'Tân', 'Nam', 'Á', 'Châu', 'Hòa', 'Bình', 'Quang',
  'Huy', 'Gia', 'Bảo', 'Ngọc', 'Lộc', 'Thiên', 'Phước', 'Vạn', 'Hải', 'Đông', 'Tâm', 'Trí', 'Nhật',
]; // prettier-ignore

const STATUS_WEIGHTS: readonly (readonly [StatusWireCode, number])[] = [
  ['DANG_HOAT_DONG', 75],
  ['TAM_NGUNG_KINH_DOANH', 7],
  ['KHONG_HOAT_DONG_TAI_DIA_CHI', 5],
  ['DANG_LAM_THU_TUC_GIAI_THE', 3],
  ['DA_GIAI_THE', 6],
  ['DA_PHA_SAN', 1],
  ['BI_THU_HOI_GCN', 2],
  ['CHAM_DUT_TON_TAI', 1],
];

const LEGAL_FORM_WEIGHTS: readonly (readonly [LegalFormWireCode, number])[] = [
  ['TNHH_1TV', 36],
  ['TNHH_2TV', 28],
  ['CO_PHAN', 22],
  ['DNTN', 13],
  ['HOP_DANH', 1],
];

const POSITIONS: Record<LegalFormWireCode, readonly string[]> = {
  TNHH_1TV: ['Giám đốc', 'Giám đốc', 'Tổng giám đốc', 'Chủ tịch công ty'],
  TNHH_2TV: ['Giám đốc', 'Giám đốc', 'Tổng giám đốc', 'Chủ tịch Hội đồng thành viên'],
  CO_PHAN: ['Tổng giám đốc', 'Giám đốc', 'Chủ tịch Hội đồng quản trị'],
  DNTN: ['Chủ doanh nghiệp'],
  HOP_DANH: ['Thành viên hợp danh'],
};

export interface BusinessRegistryDatasetOptions {
  seed?: Seed;
  /** Number of enterprises (dependent units come on top). Default 200,000. */
  size?: number;
  /** Share of enterprises whose code predates the check-digit rule. Default 0.005. */
  legacyShare?: number;
}

interface CodeAssignment {
  code: string;
  legacy: boolean;
}

/** `YYYY-MM-DD` -> `dd/MM/yyyy`. */
function wireDate(iso: string): string {
  return `${iso.slice(8, 10)}/${iso.slice(5, 7)}/${iso.slice(0, 4)}`;
}

function randomDate(rng: Rng, fromIso: string, toIso: string): string {
  const from = Date.parse(fromIso);
  const to = Date.parse(toIso);
  const day = 86_400_000;
  return new Date(from + Math.floor(rng.next() * ((to - from) / day + 1)) * day).toISOString().slice(0, 10);
}

function representative(rng: Rng, position: string): NguoiDaiDienWire {
  const person = syntheticPerson(rng, { minYear: 1955, maxYear: 2000 });
  return { hoTen: person.fullName, chucDanh: position, soDinhDanh: person.personalId };
}

function address(rng: Rng, commune: Commune, registeredBefore2025: boolean): DiaChiWire {
  const street = streetAddress(rng, commune);
  const legacy = registeredBefore2025 && rng.chance(0.6);
  return {
    ...(street.houseNumber ? { soNha: street.houseNumber } : {}),
    ...(street.street ? { duong: street.street } : {}),
    ...(street.hamlet ? { thonXom: street.hamlet } : {}),
    maXa: commune.code,
    tenXa: commune.name,
    maTinh: commune.province.code,
    tenTinh: provinceFullName(commune.province),
    ...(legacy
      ? {
          maTinhCu: commune.province.code,
          maHuyenCu: commune.legacyDistrictCode,
          maXaCu: rng.chance(0.5) ? commune.code : commune.legacyCommuneCode,
        }
      : {}),
    diaChiDayDu: `${street.detail}, ${commune.name}, ${provinceFullName(commune.province)}`,
  };
}

function pickCommune(rng: Rng, province: ProvinceEntry): Commune {
  return rng.pick(communesOfProvince(province.code));
}

interface RegisteredNames {
  name: string;
  foreignSuffix: string;
  shortSuffix: string;
}

function registeredNames(rng: Rng, form: LegalFormWireCode, line: string, brand: string): RegisteredNames {
  switch (form) {
    case 'TNHH_1TV':
      return {
        name: rng.chance(0.3)
          ? `Công ty TNHH Một thành viên ${line} ${brand}`
          : `Công ty TNHH ${line} ${brand}`,
        foreignSuffix: 'COMPANY LIMITED',
        shortSuffix: 'CO., LTD',
      };
    case 'TNHH_2TV':
      return {
        name: `Công ty TNHH ${line} ${brand}`,
        foreignSuffix: 'COMPANY LIMITED',
        shortSuffix: 'CO., LTD',
      };
    case 'CO_PHAN':
      return {
        name: `Công ty Cổ phần ${line} ${brand}`,
        foreignSuffix: 'JOINT STOCK COMPANY',
        shortSuffix: 'JSC',
      };
    case 'HOP_DANH':
      return {
        name: `Công ty Hợp danh ${line} ${brand}`,
        foreignSuffix: 'PARTNERSHIP',
        shortSuffix: 'PARTNERS',
      };
    case 'DNTN':
      return {
        name: `Doanh nghiệp tư nhân ${line} ${brand}`,
        foreignSuffix: 'PRIVATE ENTERPRISE',
        shortSuffix: 'PE',
      };
  }
}

/** The fields every view of an enterprise needs, drawn first and always in the same order. */
interface EnterpriseCore extends RegisteredNames {
  /** Positioned after the core fields; the full record keeps drawing from it. */
  rng: Rng;
  form: LegalFormWireCode;
  lineEn: string;
  vsic: string;
  vsicLabel: string;
  brand: string;
  /** YYYY-MM-DD */
  established: string;
  status: StatusWireCode;
}

export class BusinessRegistryDataset {
  readonly seed: Seed;
  readonly size: number;
  readonly legacyShare: number;
  private readonly permutation: AffinePermutation;
  private readonly streams: Record<'prefix' | 'legacy' | 'units' | 'enterprise' | 'unit', RecordStream>;
  /** Recently computed codes: a record view asks for its own code several times. */
  private readonly assignments = new Map<number, CodeAssignment>();

  constructor(options: BusinessRegistryDatasetOptions = {}) {
    this.seed = options.seed ?? DEFAULT_SEED;
    this.size = options.size ?? DEFAULT_ENTERPRISE_COUNT;
    this.legacyShare = options.legacyShare ?? 0.005;
    if (!Number.isInteger(this.size) || this.size < 1 || this.size > MAX_ENTERPRISE_COUNT) {
      throw new RangeError(`size must be an integer between 1 and ${MAX_ENTERPRISE_COUNT}`);
    }
    this.permutation = new AffinePermutation(BODY_SPACE, this.seed, 'enterprise-code');
    this.streams = {
      prefix: new RecordStream(this.seed, 'enterprise-prefix'),
      legacy: new RecordStream(this.seed, 'enterprise-legacy'),
      units: new RecordStream(this.seed, 'enterprise-units'),
      enterprise: new RecordStream(this.seed, 'enterprise'),
      unit: new RecordStream(this.seed, 'unit'),
    };
  }

  // --- codes ---------------------------------------------------------------------------------------

  private taxPrefixAt(index: number): TaxPrefix {
    return this.streams.prefix.at(index).weighted(PREFIX_WEIGHTS);
  }

  private assignment(index: number): CodeAssignment {
    let assigned = this.assignments.get(index);
    if (!assigned) {
      if (this.assignments.size >= 4096) this.assignments.clear();
      assigned = this.assign(index);
      this.assignments.set(index, assigned);
    }
    return assigned;
  }

  private assign(index: number): CodeAssignment {
    const prefix = this.taxPrefixAt(index).prefix;
    const rng = this.streams.legacy.at(index);
    const wantLegacy = rng.chance(this.legacyShare);
    const bodyAt = (attempt: number) =>
      String(this.permutation.forward(index * ATTEMPTS + attempt)).padStart(7, '0');
    if (wantLegacy) {
      for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
        const first9 = prefix + bodyAt(attempt);
        if (computeEnterpriseCheckDigit(first9) === null) {
          return { code: first9 + rng.int(0, 9), legacy: true };
        }
      }
    }
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const first9 = prefix + bodyAt(attempt);
      const check = computeEnterpriseCheckDigit(first9);
      if (check !== null) return { code: first9 + check, legacy: false };
    }
    // Sixteen prefixes in a row without a check digit: vanishingly rare; keep the last as a legacy code.
    return { code: prefix + bodyAt(ATTEMPTS - 1) + '0', legacy: true };
  }

  /** The 10-digit code of enterprise `index`. */
  enterpriseCodeAt(index: number): string {
    return this.assignment(index).code;
  }

  /** True when enterprise `index` has a code that fails the check-digit rule. */
  isLegacyCode(index: number): boolean {
    return this.assignment(index).legacy;
  }

  /** The record number of a 10-digit code, or undefined when no enterprise has it. */
  indexOfEnterpriseCode(code: string): number | undefined {
    if (!/^[0-9]{10}$/.test(code) || !PREFIX_BY_CODE.has(code.slice(0, 2))) return undefined;
    const n = this.permutation.inverse(Number(code.slice(2, 9)));
    const index = Math.floor(n / ATTEMPTS);
    if (index >= this.size) return undefined;
    return this.enterpriseCodeAt(index) === code ? index : undefined;
  }

  /** Number of dependent units of enterprise `index` (0 to 3). */
  unitCountAt(index: number): number {
    const rng = this.streams.units.at(index);
    return rng.chance(0.2) ? rng.int(1, 3) : 0;
  }

  // --- records -------------------------------------------------------------------------------------

  private core(index: number): EnterpriseCore {
    const rng = this.streams.enterprise.at(index);
    const form = rng.weighted(LEGAL_FORM_WEIGHTS);
    const [lineVi, lineEn, vsic, vsicLabel] = rng.pick(BUSINESS_LINES);
    const brandParts = [rng.pick(BRAND_PARTS), rng.pick(BRAND_PARTS)];
    if (brandParts[0] === brandParts[1]) brandParts[1] = rng.pick(BRAND_PARTS);
    if (rng.chance(0.15)) brandParts.push(rng.pick(BRAND_PARTS));
    const brand = brandParts.join(' ');
    const established = this.isLegacyCode(index)
      ? randomDate(rng, '1993-01-01', '2004-12-31')
      : randomDate(rng, '1995-01-01', REGISTRY_AS_OF);
    const status = rng.weighted(STATUS_WEIGHTS);
    const names = registeredNames(rng, form, lineVi, brand);
    return { rng, form, lineEn, vsic, vsicLabel, brand, established, status, ...names };
  }

  private checkIndex(index: number): void {
    if (!Number.isInteger(index) || index < 0 || index >= this.size) {
      throw new RangeError(`no enterprise ${index}`);
    }
  }

  enterpriseAt(index: number): DoanhNghiepWire {
    this.checkIndex(index);
    const code = this.enterpriseCodeAt(index);
    const core = this.core(index);
    const { rng, form } = core;
    const province = PROVINCES.find((p) => p.code === this.taxPrefixAt(index).provinceCode) as ProvinceEntry;
    const brandAscii = withoutDiacritics(core.brand).toUpperCase();
    const amendments = rng.chance(0.65) ? rng.int(1, 12) : 0;
    const lastAmendment = amendments > 0 ? randomDate(rng, core.established, REGISTRY_AS_OF) : undefined;
    const hasForeignName = form !== 'DNTN' && rng.chance(0.6);
    const hasShortName = hasForeignName && rng.chance(0.7);
    const commune = pickCommune(rng, province);
    const representatives: NguoiDaiDienWire[] = [representative(rng, rng.pick(POSITIONS[form]))];
    if (form === 'CO_PHAN' && rng.chance(0.3)) {
      representatives.push(representative(rng, 'Chủ tịch Hội đồng quản trị'));
    }
    const capital =
      form === 'CO_PHAN' ? rng.int(1_000, 500_000) * 1_000_000 : rng.int(100, 50_000) * 1_000_000;
    const headOffice = address(rng, commune, core.established < '2025-07-01');

    const units = [];
    for (let seq = 1; seq <= this.unitCountAt(index); seq++) {
      const unit = this.unitAt(index, seq, core);
      units.push({ maSoDonVi: unit.maSoDonVi, tenDonVi: unit.tenDonVi, loaiDonVi: unit.loaiDonVi });
    }

    return {
      maSoDoanhNghiep: code,
      tenDoanhNghiep: core.name,
      ...(hasForeignName
        ? { tenTiengNuocNgoai: `${brandAscii} ${core.lineEn.toUpperCase()} ${core.foreignSuffix}` }
        : {}),
      ...(hasShortName ? { tenVietTat: `${brandAscii} ${core.shortSuffix}` } : {}),
      loaiHinh: { ma: form, ten: LEGAL_FORM_WIRE[form] },
      tinhTrang: { ma: core.status, ten: STATUS_WIRE[core.status] },
      ngayThanhLap: wireDate(core.established),
      ...(lastAmendment ? { ngayThayDoiGanNhat: wireDate(lastAmendment) } : {}),
      soLanThayDoi: amendments,
      diaChiTruSo: headOffice,
      nguoiDaiDienTheoPhapLuat: representatives,
      ...(form === 'DNTN' ? { vonDauTu: capital } : { vonDieuLe: capital }),
      nganhNgheChinh: { ma: core.vsic, ten: core.vsicLabel },
      donViPhuThuoc: units,
    };
  }

  findEnterprise(code: string): DoanhNghiepWire | undefined {
    const index = this.indexOfEnterpriseCode(code);
    return index === undefined ? undefined : this.enterpriseAt(index);
  }

  /** Dependent unit `seq` (1-based) of enterprise `index`. */
  unitAt(index: number, seq: number, parent: EnterpriseCore = this.core(index)): DonViPhuThuocWire {
    this.checkIndex(index);
    if (!Number.isInteger(seq) || seq < 1 || seq > this.unitCountAt(index)) {
      throw new RangeError(`enterprise ${index} has no unit ${seq}`);
    }
    const parentCode = this.enterpriseCodeAt(index);
    const rng = this.streams.unit.at(index, seq);
    const kind: UnitKindWireCode = rng.chance(0.75) ? 'CHI_NHANH' : 'VAN_PHONG_DAI_DIEN';
    const province = rng.pick(PROVINCES);
    const commune = pickCommune(rng, province);
    const established = randomDate(rng, parent.established, REGISTRY_AS_OF);
    let status: StatusWireCode = parent.status;
    if (parent.status === 'DANG_HOAT_DONG' && rng.chance(0.07)) status = 'DA_GIAI_THE';
    const label = kind === 'CHI_NHANH' ? 'Chi nhánh' : 'Văn phòng đại diện';
    return {
      maSoDonVi: `${parentCode}-${String(seq).padStart(3, '0')}`,
      maSoDoanhNghiepMe: parentCode,
      tenDoanhNghiepMe: parent.name,
      tenDonVi: `${label} ${parent.name} tại ${province.name}`,
      loaiDonVi: { ma: kind, ten: UNIT_KIND_WIRE[kind] },
      tinhTrang: { ma: status, ten: STATUS_WIRE[status] },
      ngayThanhLap: wireDate(established),
      diaChiTruSo: address(rng, commune, established < '2025-07-01'),
      nguoiDungDau: representative(
        rng,
        kind === 'CHI_NHANH' ? 'Giám đốc chi nhánh' : 'Trưởng văn phòng đại diện',
      ),
    };
  }

  /** The unit with a 13-character code, or undefined. */
  findUnit(code: string): DonViPhuThuocWire | undefined {
    const match = /^([0-9]{10})-([0-9]{3})$/.exec(code);
    if (!match) return undefined;
    const index = this.indexOfEnterpriseCode(match[1]);
    if (index === undefined) return undefined;
    const seq = Number(match[2]);
    if (seq < 1 || seq > this.unitCountAt(index)) return undefined;
    return this.unitAt(index, seq);
  }
}
