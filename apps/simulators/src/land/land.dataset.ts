import {
  BusinessRegistryDataset,
  DEFAULT_ENTERPRISE_COUNT,
} from '../business-registry/business-registry.dataset';
import { streetAddress } from '../shared/addresses';
import { Commune, communes, provinceFullName } from '../shared/admin-units';
import { syntheticPerson } from '../shared/people';
import { AffinePermutation, DEFAULT_SEED, RecordStream, Rng, Seed } from '../shared/prng';
import {
  ChuSuDung,
  GiayChungNhan,
  HanChe,
  LAND_USE_TYPES,
  LandUseTypeCode,
  MucDichSuDung,
  ThuaDatRecord,
} from './land.wire';

/**
 * Synthetic cadastral register, derived parcel by parcel from (seed, index) with nothing stored.
 *
 * Numbering: parcel i lies in commune (i mod C) of the commune catalogue (C = 3,321); its rank j = i div C
 * within the commune gives the map sheet (1 + j div 20) and the parcel number (1 + 7·(j mod 20) + an
 * offset drawn per sheet), so a (commune, sheet, parcel) triple maps straight back to i.
 * Certificates: certificate k of parcel i is numbered from an affine permutation of i·3 + k over 2·10⁷
 * values: issued before 2019 as a series and 6 digits (`AB 123456`), later as a newer series and
 * 8 digits (`DA 01234567`); the number also maps straight back to the parcel.
 * Enterprise holders are enterprises of the business registry simulator with the same seed.
 */

export const DEFAULT_PARCEL_COUNT = 300_000;
const CERTIFICATE_SLOTS = 3;
const CERTIFICATE_SPACE = 20_000_000;
export const MAX_PARCEL_COUNT = Math.floor(CERTIFICATE_SPACE / CERTIFICATE_SLOTS);
const PARCELS_PER_SHEET = 20;
const PARCEL_STRIDE = 7;

/** Date the synthetic register describes; dates in records never pass it. */
export const LAND_REGISTER_AS_OF = '2026-10-31';
/** Certificates issued from this date use the newer series with 8 digits. */
const NEW_SERIES_FROM = '2019-01-01';

const OLD_SERIES = [
  'AA', 'AB', 'AC', 'AD', 'AE', 'AG', 'AH', 'AK', 'AL', 'AM', 'AN', 'AO', 'AP', 'BA', 'BB', 'BC', 'BD', 'BE',
  'BG', 'BH',
]; // prettier-ignore
const NEW_SERIES = ['CS', 'CT', 'DA', 'DB'];
const OLD_SERIES_SIZE = 1_000_000;
const NEW_SERIES_SIZE = 5_000_000;

type Category =
  | 'URBAN_RESIDENTIAL'
  | 'RURAL_RESIDENTIAL'
  | 'RESIDENTIAL_WITH_GARDEN'
  | 'AGRICULTURAL'
  | 'COMMERCIAL'
  | 'INDUSTRIAL'
  | 'PUBLIC'
  | 'COMMUNITY';

const URBAN_CATEGORIES: readonly (readonly [Category, number])[] = [
  ['URBAN_RESIDENTIAL', 70],
  ['RESIDENTIAL_WITH_GARDEN', 8],
  ['COMMERCIAL', 10],
  ['INDUSTRIAL', 3],
  ['PUBLIC', 4],
  ['AGRICULTURAL', 3],
  ['COMMUNITY', 2],
];
const RURAL_CATEGORIES: readonly (readonly [Category, number])[] = [
  ['RURAL_RESIDENTIAL', 30],
  ['RESIDENTIAL_WITH_GARDEN', 25],
  ['AGRICULTURAL', 35],
  ['COMMERCIAL', 3],
  ['INDUSTRIAL', 3],
  ['PUBLIC', 2],
  ['COMMUNITY', 2],
];

const RESIDENTIAL_ORIGINS = [
  'Nhà nước giao đất có thu tiền sử dụng đất',
  'Công nhận quyền sử dụng đất như giao đất có thu tiền sử dụng đất',
  'Nhận chuyển nhượng quyền sử dụng đất',
  'Nhận thừa kế quyền sử dụng đất',
];
const AGRICULTURAL_ORIGIN = 'Nhà nước giao đất không thu tiền sử dụng đất';
const LEASE_ORIGINS = [
  'Nhà nước cho thuê đất trả tiền thuê đất hằng năm',
  'Nhà nước cho thuê đất trả tiền thuê đất một lần cho cả thời gian thuê',
];

const BANKS = [
  'Ngân hàng Nông nghiệp và Phát triển Nông thôn Việt Nam',
  'Ngân hàng TMCP Công Thương Việt Nam',
  'Ngân hàng TMCP Đầu tư và Phát triển Việt Nam',
  'Ngân hàng TMCP Ngoại thương Việt Nam',
  'Ngân hàng Chính sách xã hội',
  'Ngân hàng TMCP Sài Gòn Thương Tín',
];

const SCHOOL_NAMES = ['Kim Đồng', 'Lê Quý Đôn', 'Nguyễn Du', 'Trần Quốc Toản', 'Võ Thị Sáu', 'Chu Văn An'];

export interface LandDatasetOptions {
  seed?: Seed;
  /** Number of parcels. Default 300,000. */
  size?: number;
  /** Size of the business registry whose enterprises hold land. Default 200,000. */
  enterpriseCount?: number;
}

interface CertificateDraft {
  number: string;
  /** YYYY-MM-DD */
  issuedOn: string;
}

function randomDate(rng: Rng, fromIso: string, toIso: string): string {
  const from = Date.parse(fromIso);
  const to = Date.parse(toIso);
  if (to <= from) return fromIso;
  const day = 86_400_000;
  return new Date(from + Math.floor(rng.next() * ((to - from) / day + 1)) * day).toISOString().slice(0, 10);
}

function addYears(iso: string, years: number): string {
  return `${Number(iso.slice(0, 4)) + years}${iso.slice(4)}`.replace(/-02-29$/, '-02-28');
}

function area(rng: Rng, min: number, max: number): number {
  return Math.round((min + rng.next() * (max - min)) * 10) / 10;
}

function use(
  code: LandUseTypeCode,
  dienTich: number,
  term: { until?: string },
  nguonGoc?: string,
): MucDichSuDung {
  return {
    kyHieu: code,
    ten: LAND_USE_TYPES[code],
    dienTich,
    thoiHan: term.until ? 'CO_THOI_HAN' : 'LAU_DAI',
    ...(term.until ? { denNgay: term.until } : {}),
    ...(nguonGoc ? { nguonGoc } : {}),
  };
}

export class LandDataset {
  readonly seed: Seed;
  readonly size: number;
  private readonly communeList: readonly Commune[];
  private readonly communeIndex: ReadonlyMap<string, number>;
  private readonly certificatePermutation: AffinePermutation;
  private readonly enterprises: BusinessRegistryDataset;
  private readonly streams: Record<'parcel' | 'sheet' | 'certificates', RecordStream>;

  constructor(options: LandDatasetOptions = {}) {
    this.seed = options.seed ?? DEFAULT_SEED;
    this.size = options.size ?? DEFAULT_PARCEL_COUNT;
    if (!Number.isInteger(this.size) || this.size < 1 || this.size > MAX_PARCEL_COUNT) {
      throw new RangeError(`size must be an integer between 1 and ${MAX_PARCEL_COUNT}`);
    }
    this.communeList = communes();
    this.communeIndex = new Map(this.communeList.map((c, i) => [c.code, i]));
    this.certificatePermutation = new AffinePermutation(CERTIFICATE_SPACE, this.seed, 'land-certificate');
    this.enterprises = new BusinessRegistryDataset({
      seed: this.seed,
      size: options.enterpriseCount ?? DEFAULT_ENTERPRISE_COUNT,
    });
    this.streams = {
      parcel: new RecordStream(this.seed, 'parcel'),
      sheet: new RecordStream(this.seed, 'parcel-sheet'),
      certificates: new RecordStream(this.seed, 'parcel-certificates'),
    };
  }

  // --- numbering -----------------------------------------------------------------------------------

  private sheetOffset(communeIdx: number, sheet: number): number {
    return this.streams.sheet.at(communeIdx, sheet).int(0, PARCEL_STRIDE - 1);
  }

  /** Commune code, map sheet and parcel number of parcel `index`. */
  keyAt(index: number): { communeCode: string; mapSheetNo: string; parcelNo: string } {
    this.checkIndex(index);
    const c = index % this.communeList.length;
    const rank = Math.floor(index / this.communeList.length);
    const sheet = 1 + Math.floor(rank / PARCELS_PER_SHEET);
    const parcel = 1 + PARCEL_STRIDE * (rank % PARCELS_PER_SHEET) + this.sheetOffset(c, sheet);
    return { communeCode: this.communeList[c].code, mapSheetNo: String(sheet), parcelNo: String(parcel) };
  }

  /**
   * Parcel number for a (commune, sheet, parcel) triple, or undefined. Sheet and parcel numbers are
   * compared as numbers, so `015` finds sheet 15; numbers with letters (`45a`) exist in real surveys
   * but not in this register.
   */
  indexOfParcel(communeCode: string, mapSheetNo: string, parcelNo: string): number | undefined {
    const c = this.communeIndex.get(communeCode);
    if (c === undefined || !/^[0-9]{1,9}$/.test(mapSheetNo) || !/^[0-9]{1,9}$/.test(parcelNo))
      return undefined;
    const sheet = Number(mapSheetNo);
    const parcel = Number(parcelNo);
    if (sheet < 1) return undefined;
    const r = parcel - 1 - this.sheetOffset(c, sheet);
    if (r < 0 || r % PARCEL_STRIDE !== 0) return undefined;
    const slot = r / PARCEL_STRIDE;
    if (slot >= PARCELS_PER_SHEET) return undefined;
    const rank = (sheet - 1) * PARCELS_PER_SHEET + slot;
    const index = rank * this.communeList.length + c;
    return index < this.size ? index : undefined;
  }

  private checkIndex(index: number): void {
    if (!Number.isInteger(index) || index < 0 || index >= this.size)
      throw new RangeError(`no parcel ${index}`);
  }

  // --- certificates --------------------------------------------------------------------------------

  private certificateNumber(index: number, slot: number, issuedOn: string): string {
    const v = this.certificatePermutation.forward(index * CERTIFICATE_SLOTS + slot);
    if (issuedOn < NEW_SERIES_FROM) {
      return `${OLD_SERIES[Math.floor(v / OLD_SERIES_SIZE)]} ${String(v % OLD_SERIES_SIZE).padStart(6, '0')}`;
    }
    return `${NEW_SERIES[Math.floor(v / NEW_SERIES_SIZE)]} ${String(v % NEW_SERIES_SIZE).padStart(8, '0')}`;
  }

  /** Certificates of parcel `index`, latest first (0, 1 or 2; the second one replaced). */
  certificatesAt(index: number): CertificateDraft[] {
    this.checkIndex(index);
    const rng = this.streams.certificates.at(index);
    const roll = rng.next();
    const count = roll < 0.12 ? 0 : roll < 0.82 ? 1 : 2;
    if (count === 0) return [];
    if (count === 1) {
      const issuedOn = randomDate(rng, '1995-01-01', LAND_REGISTER_AS_OF);
      return [{ number: this.certificateNumber(index, 0, issuedOn), issuedOn }];
    }
    const olderOn = randomDate(rng, '1993-01-01', '2014-12-31');
    const latestOn = randomDate(rng, addYears(olderOn, 2), LAND_REGISTER_AS_OF);
    return [
      { number: this.certificateNumber(index, 0, latestOn), issuedOn: latestOn },
      { number: this.certificateNumber(index, 1, olderOn), issuedOn: olderOn },
    ];
  }

  /** Parcel number holding the certificate with this issue number (spaces and case do not matter). */
  indexOfCertificate(certificateNo: string): number | undefined {
    const compact = certificateNo.replace(/\s+/g, '').toUpperCase();
    const match = /^([A-Z]{2})([0-9]{6}|[0-9]{8})$/.exec(compact);
    if (!match) return undefined;
    const [, series, digits] = match;
    let v: number;
    if (digits.length === 6) {
      const s = OLD_SERIES.indexOf(series);
      if (s < 0) return undefined;
      v = s * OLD_SERIES_SIZE + Number(digits);
    } else {
      const s = NEW_SERIES.indexOf(series);
      if (s < 0 || Number(digits) >= NEW_SERIES_SIZE) return undefined;
      v = s * NEW_SERIES_SIZE + Number(digits);
    }
    const n = this.certificatePermutation.inverse(v);
    const index = Math.floor(n / CERTIFICATE_SLOTS);
    if (index >= this.size) return undefined;
    const wanted = `${series} ${digits}`;
    return this.certificatesAt(index).some((c) => c.number === wanted) ? index : undefined;
  }

  // --- records -------------------------------------------------------------------------------------

  parcelAt(index: number): ThuaDatRecord {
    const key = this.keyAt(index);
    const commune = this.communeList[index % this.communeList.length];
    const rng = this.streams.parcel.at(index);
    const drafts = this.certificatesAt(index);
    const latestOn = drafts[0]?.issuedOn ?? randomDate(rng, '2000-01-01', LAND_REGISTER_AS_OF);
    const category = rng.weighted(commune.kind === 'PHUONG' ? URBAN_CATEGORIES : RURAL_CATEGORIES);
    const uses = this.landUses(rng, category, latestOn);
    const holders = this.holders(rng, category, commune, latestOn);
    const street = streetAddress(rng, commune);
    const hasOldNumbering = rng.chance(0.4);
    const oldNumbering = hasOldNumbering
      ? {
          ...(rng.chance(0.7) ? { maXaCu: rng.chance(0.5) ? commune.code : commune.legacyCommuneCode } : {}),
          soToBanDo: String(rng.int(1, 40)),
          soThuaDat: String(rng.int(1, 900)),
        }
      : undefined;
    const certificates: GiayChungNhan[] = drafts.map((draft, k) => ({
      soPhatHanh: draft.number,
      soVaoSo: this.registryNumber(rng, category, draft.issuedOn),
      ngayCap: draft.issuedOn,
      coQuanCap: this.issuer(rng, commune, category, draft.issuedOn),
      trangThai: k === 0 ? 'DANG_HIEU_LUC' : 'DA_CAP_DOI',
    }));
    const restrictions =
      drafts.length > 0 && (holders[0].loai === 'CA_NHAN' || holders[0].loai === 'DOANH_NGHIEP')
        ? this.restrictions(rng, commune, drafts[0].issuedOn)
        : [];
    const total = Math.round(uses.reduce((sum, u) => sum + u.dienTich, 0) * 10) / 10;
    return {
      ...(rng.chance(0.4) ? { maThuaDat: `${key.communeCode}.${key.mapSheetNo}.${key.parcelNo}` } : {}),
      maXa: key.communeCode,
      soToBanDo: key.mapSheetNo,
      soThuaDat: key.parcelNo,
      ...(oldNumbering ? { soHieuCu: oldNumbering } : {}),
      dienTich: total,
      diaChi: {
        chiTiet: street.detail,
        maXa: commune.code,
        tenXa: commune.name,
        maTinh: commune.province.code,
        tenTinh: provinceFullName(commune.province),
      },
      mucDichSuDung: uses,
      chuSuDung: holders,
      giayChungNhan: certificates,
      hanChe: restrictions,
    };
  }

  findParcel(communeCode: string, mapSheetNo: string, parcelNo: string): ThuaDatRecord | undefined {
    const index = this.indexOfParcel(communeCode, mapSheetNo, parcelNo);
    return index === undefined ? undefined : this.parcelAt(index);
  }

  findByCertificate(certificateNo: string): ThuaDatRecord | undefined {
    const index = this.indexOfCertificate(certificateNo);
    return index === undefined ? undefined : this.parcelAt(index);
  }

  private landUses(rng: Rng, category: Category, since: string): MucDichSuDung[] {
    const fifty = { until: addYears(since, 50) };
    const longTerm = {};
    switch (category) {
      case 'URBAN_RESIDENTIAL':
        return [use('ODT', area(rng, 40, 250), longTerm, rng.pick(RESIDENTIAL_ORIGINS))];
      case 'RURAL_RESIDENTIAL':
        return [use('ONT', area(rng, 100, 600), longTerm, rng.pick(RESIDENTIAL_ORIGINS))];
      case 'RESIDENTIAL_WITH_GARDEN': {
        const home = rng.chance(0.3) ? 'ODT' : 'ONT';
        return [
          use(home, area(rng, 100, 400), longTerm, rng.pick(RESIDENTIAL_ORIGINS)),
          use(rng.chance(0.7) ? 'CLN' : 'BHK', area(rng, 200, 2000), fifty, AGRICULTURAL_ORIGIN),
        ];
      }
      case 'AGRICULTURAL': {
        const code = rng.weighted<LandUseTypeCode>([
          ['LUC', 35],
          ['CLN', 30],
          ['BHK', 15],
          ['NTS', 12],
          ['RSX', 8],
        ]);
        const ranges: Record<string, [number, number]> = {
          LUC: [300, 5000],
          CLN: [500, 10000],
          BHK: [300, 3000],
          NTS: [500, 20000],
          RSX: [5000, 100000],
        };
        const [min, max] = ranges[code];
        return [use(code, area(rng, min, max), fifty, AGRICULTURAL_ORIGIN)];
      }
      case 'COMMERCIAL':
        return [use('TMD', area(rng, 200, 20000), fifty, rng.pick(LEASE_ORIGINS))];
      case 'INDUSTRIAL':
        return [use('SKC', area(rng, 1000, 50000), fifty, rng.pick(LEASE_ORIGINS))];
      case 'PUBLIC':
        return [use(rng.chance(0.5) ? 'TSC' : 'DGD', area(rng, 500, 10000), longTerm, AGRICULTURAL_ORIGIN)];
      case 'COMMUNITY':
        return [use('DSH', area(rng, 100, 2000), longTerm, 'Công nhận quyền sử dụng đất')];
    }
  }

  private holders(rng: Rng, category: Category, commune: Commune, since: string): ChuSuDung[] {
    if (category === 'PUBLIC') {
      return [
        {
          loai: 'TO_CHUC',
          ten: rng.chance(0.5)
            ? `Ủy ban nhân dân ${commune.name}`
            : `Trường Tiểu học ${rng.pick(SCHOOL_NAMES)}`,
        },
      ];
    }
    if (category === 'COMMUNITY') {
      return [
        {
          loai: 'CONG_DONG_DAN_CU',
          ten: `Cộng đồng dân cư ${streetAddress(rng, commune).hamlet ?? 'Thôn 1'}`,
        },
      ];
    }
    if ((category === 'COMMERCIAL' && rng.chance(0.8)) || category === 'INDUSTRIAL') {
      const enterprise = this.enterprises.enterpriseAt(rng.int(0, this.enterprises.size - 1));
      return [
        { loai: 'DOANH_NGHIEP', ten: enterprise.tenDoanhNghiep, maSoDoanhNghiep: enterprise.maSoDoanhNghiep },
      ];
    }
    const oldCertificate = since < '2016-01-01';
    const person = (sex?: 'MALE' | 'FEMALE'): ChuSuDung => {
      const p = syntheticPerson(rng, { minYear: 1940, maxYear: 2000, sex });
      const onlyLegacyCard = oldCertificate && p.legacyIdCard !== undefined && rng.chance(0.3);
      return {
        loai: 'CA_NHAN',
        ten: p.fullName,
        ...(onlyLegacyCard ? {} : { soDinhDanh: p.personalId }),
        ...(p.legacyIdCard && (onlyLegacyCard || rng.chance(0.3)) ? { soCMND: p.legacyIdCard } : {}),
      };
    };
    const roll = rng.next();
    if (roll < 0.55) return [person()];
    if (roll < 0.95) {
      const first = rng.chance(0.5) ? 'MALE' : 'FEMALE';
      return [person(first), person(first === 'MALE' ? 'FEMALE' : 'MALE')];
    }
    const shares = rng.chance(0.5) ? [0.5, 0.5] : [0.4, 0.3, 0.3];
    return shares.map((tyLe) => ({ ...person(), tyLe }));
  }

  private registryNumber(rng: Rng, category: Category, issuedOn: string): string {
    const organisation = category === 'COMMERCIAL' || category === 'INDUSTRIAL' || category === 'PUBLIC';
    const prefix = organisation || issuedOn >= '2025-07-01' ? 'CS' : 'CH';
    return `${prefix}${String(rng.int(1, 99999)).padStart(5, '0')}`;
  }

  private issuer(rng: Rng, commune: Commune, category: Category, issuedOn: string): string {
    const province = provinceFullName(commune.province)
      .replace(/^Tỉnh/, 'tỉnh')
      .replace(/^Thành phố/, 'thành phố');
    const organisation = category === 'COMMERCIAL' || category === 'INDUSTRIAL' || category === 'PUBLIC';
    if (issuedOn < '2025-03-01') {
      return organisation || rng.chance(0.5)
        ? `Sở Tài nguyên và Môi trường ${province}`
        : `Chi nhánh Văn phòng đăng ký đất đai ${province}`;
    }
    if (issuedOn < '2025-07-01' || organisation) return `Sở Nông nghiệp và Môi trường ${province}`;
    return `Ủy ban nhân dân ${commune.name}`;
  }

  private restrictions(rng: Rng, commune: Commune, since: string): HanChe[] {
    const out: HanChe[] = [];
    const province = commune.province.name;
    if (rng.chance(0.18)) {
      out.push({
        loai: 'THE_CHAP',
        ngayDangKy: randomDate(rng, since, LAND_REGISTER_AS_OF),
        benLienQuan: `${rng.pick(BANKS)} - Chi nhánh ${province}`,
      });
    }
    if (rng.chance(0.03)) {
      out.push({
        loai: 'CHO_THUE',
        ngayDangKy: randomDate(rng, since, LAND_REGISTER_AS_OF),
        benLienQuan: syntheticPerson(rng).fullName,
        ghiChu: `Cho thuê ${rng.int(1, 10)} năm`,
      });
    }
    if (rng.chance(0.015)) {
      out.push({
        loai: 'TRANH_CHAP',
        ngayDangKy: randomDate(rng, since, LAND_REGISTER_AS_OF),
        ghiChu: 'Tranh chấp ranh giới với thửa đất liền kề, đang được hòa giải tại cơ sở',
      });
    }
    if (rng.chance(0.01)) {
      out.push({
        loai: 'NGAN_CHAN',
        ngayDangKy: randomDate(rng, since, LAND_REGISTER_AS_OF),
        benLienQuan: `Cơ quan thi hành án dân sự ${provinceFullName(commune.province).replace(/^Tỉnh/, 'tỉnh')}`,
        ghiChu: 'Tạm dừng đăng ký, chuyển quyền sử dụng đất để bảo đảm thi hành án',
      });
    }
    if (rng.chance(0.01)) {
      out.push({
        loai: 'QUYEN_DOI_VOI_BDS_LIEN_KE',
        ngayDangKy: randomDate(rng, since, LAND_REGISTER_AS_OF),
        ghiChu: 'Quyền về lối đi qua thửa đất liền kề',
      });
    }
    return out;
  }
}
