import {
  Address,
  Encumbrance,
  EncumbranceKind,
  LandCertificate,
  LandHolder,
  LandParcel,
  LandUse,
  OldNumbering,
  Provenance,
  validate,
} from '@lienthong/contracts';
import { landErrors, LandError } from './land.errors';
import { asArray } from './land.xml';
import type {
  WireCertificate,
  WireHolder,
  WireLandUse,
  WireParcel,
  WireRestriction,
  XmlNode,
} from './land.wire';
import { optionalField as optional, wireText as text } from '@lienthong/adapters/common';
import { vietnamDateTime } from '@lienthong/domain';
import { isIsoDate } from '@lienthong/calendar';

/** Provenance `source` of everything obtained from the National Land Database. */
export const LAND_SOURCE = 'CSDLQG_DAT_DAI';

/** Kind of restriction (HanChe/@loai) -> canonical encumbrance kind; one not listed maps to OTHER. */
export const ENCUMBRANCE_KINDS: Readonly<Record<string, EncumbranceKind>> = Object.freeze({
  THE_CHAP: 'MORTGAGE',
  CHO_THUE: 'LEASE',
  TRANH_CHAP: 'DISPUTE',
  NGAN_CHAN: 'INJUNCTION',
  QUYEN_DOI_VOI_BDS_LIEN_KE: 'EASEMENT',
  KHAC: 'OTHER',
});

/** Provenance of data retrieved at `retrievedAt` and valid for `ttlMs` (Decree 47/2020). */
export function landProvenance(retrievedAt: Date, ttlMs: number): Provenance {
  return {
    source: LAND_SOURCE,
    retrievedAt: vietnamDateTime(retrievedAt),
    validUntil: vietnamDateTime(new Date(retrievedAt.getTime() + ttlMs)),
  };
}

/**
 * Map sheet or parcel number as compared between a request and an answer: numbers without leading zeros
 * (`015` is sheet 15), anything else as written, case-insensitively.
 */
export function cadastralKey(value: string): string {
  return /^[0-9]+$/.test(value) ? String(Number(value)) : value.toUpperCase();
}

/** Certificate issue number as compared between a request and an answer: no spaces, upper case. */
export function certificateKey(value: string): string {
  return value.replace(/\s+/g, '').toUpperCase();
}

function malformed(field: string, problem = 'is missing or malformed'): LandError {
  return landErrors.malformed(`the answer's ${field} ${problem}`);
}

function requiredText(value: unknown, field: string): string {
  const result = text(value);
  if (result === undefined) throw malformed(field);
  return result;
}

function isoDate(value: unknown, field: string): string {
  const date = text(value);
  if (!isIsoDate(date)) throw malformed(field);
  return date;
}

/** An area element (`<DienTich donVi="m2">312.5</DienTich>`) in square metres; hectares are converted. */
function area(value: XmlNode | string | undefined, field: string): number {
  const node = typeof value === 'string' ? { _: value } : value;
  const unit = node?.$?.donVi ?? 'm2';
  const amount = Number(text(node?._));
  if (!Number.isFinite(amount) || amount <= 0) throw malformed(field);
  if (unit === 'm2') return amount;
  if (unit === 'ha') return Math.round(amount * 10_000 * 100) / 100;
  throw malformed(`${field}@donVi`, 'is not a unit the contract lists');
}

function listOf<T>(container: unknown, child: string): T[] {
  if (container === undefined || container === '') return [];
  if (typeof container !== 'object' || container === null) return [];
  return asArray((container as Record<string, T | T[] | undefined>)[child]);
}

function landUse(wire: WireLandUse, i: number): LandUse {
  const field = `MucDichSuDung[${i}]`;
  const term = typeof wire.ThoiHan === 'object' ? wire.ThoiHan?.$ : undefined;
  const kind = term?.loai;
  if (kind !== 'LAU_DAI' && kind !== 'CO_THOI_HAN') throw malformed(`${field}.ThoiHan@loai`);
  return {
    code: requiredText(wire.KyHieu, `${field}.KyHieu`),
    ...optional('name', text(wire.Ten)),
    area: area(wire.DienTich, `${field}.DienTich`),
    term: kind === 'LAU_DAI' ? 'LONG_TERM' : 'FIXED',
    ...optional(
      'until',
      kind === 'CO_THOI_HAN' ? isoDate(term?.denNgay, `${field}.ThoiHan@denNgay`) : undefined,
    ),
    ...optional('origin', text(wire.NguonGoc)),
  };
}

function holder(wire: WireHolder, i: number): LandHolder {
  const field = `ChuSuDung[${i}]`;
  const share = text(wire.TyLe);
  const shareValue = share === undefined ? undefined : Number(share);
  if (shareValue !== undefined && !(shareValue > 0 && shareValue <= 1)) throw malformed(`${field}.TyLe`);
  switch (wire.$?.loai) {
    case 'CA_NHAN':
      return {
        kind: 'PERSON',
        fullName: requiredText(wire.HoTen, `${field}.HoTen`),
        ...optional('personalId', text(wire.SoDinhDanh)),
        ...optional('legacyIdCard', text(wire.SoCMND)),
        ...optional('share', shareValue),
      };
    case 'DOANH_NGHIEP':
      return {
        kind: 'ENTERPRISE',
        fullName: requiredText(wire.TenToChuc, `${field}.TenToChuc`),
        enterpriseCode: requiredText(wire.MaSoDoanhNghiep, `${field}.MaSoDoanhNghiep`),
        ...optional('share', shareValue),
      };
    case 'TO_CHUC':
    case 'CONG_DONG_DAN_CU':
      return {
        kind: 'ORGANISATION',
        fullName: requiredText(wire.TenToChuc, `${field}.TenToChuc`),
        ...optional('enterpriseCode', text(wire.MaSoDoanhNghiep)),
        ...optional('share', shareValue),
      };
    default:
      throw malformed(`${field}@loai`, 'is not a kind of holder the contract lists');
  }
}

function certificate(wire: WireCertificate, i: number): LandCertificate {
  const field = `GiayChungNhan[${i}]`;
  return {
    certificateNo: requiredText(wire.SoPhatHanh, `${field}.SoPhatHanh`),
    ...optional('registryNo', text(wire.SoVaoSo)),
    issuedOn: isoDate(wire.NgayCap, `${field}.NgayCap`),
    ...optional('issuedBy', text(wire.CoQuanCap)),
  };
}

function encumbrance(wire: WireRestriction, i: number): Encumbrance {
  const field = `HanChe[${i}]`;
  return {
    kind: ENCUMBRANCE_KINDS[wire.$?.loai ?? ''] ?? 'OTHER',
    registeredOn: isoDate(wire.NgayDangKy, `${field}.NgayDangKy`),
    ...optional('holder', text(wire.BenLienQuan)),
    ...optional('note', text(wire.GhiChu)),
  };
}

function address(wire: WireParcel['DiaChi']): Address | undefined {
  if (!wire || typeof wire !== 'object') return undefined;
  return {
    ...optional('detail', text(wire.ChiTiet)),
    communeCode: requiredText(wire.MaXa, 'DiaChi.MaXa'),
    ...optional('communeName', text(wire.TenXa)),
    provinceCode: requiredText(wire.MaTinh, 'DiaChi.MaTinh'),
    ...optional('provinceName', text(wire.TenTinh)),
  };
}

function oldNumbering(wire: WireParcel['SoHieuCu']): OldNumbering | undefined {
  if (!wire || typeof wire !== 'object') return undefined;
  return {
    mapSheetNo: requiredText(wire.SoToBanDo, 'SoHieuCu.SoToBanDo'),
    parcelNo: requiredText(wire.SoThuaDat, 'SoHieuCu.SoThuaDat'),
    ...optional('legacyCommuneCode', text(wire.MaXaCu)),
  };
}

/** A parcel (the ThuaDat element of a KetQuaTraCuu document) in the canonical model. */
export function toLandParcel(wire: WireParcel, provenance: Provenance): LandParcel {
  if (!wire || typeof wire !== 'object') throw malformed('ThuaDat');
  const parcel: LandParcel = {
    ...optional('parcelId', text(wire.MaThuaDat)),
    communeCode: requiredText(wire.MaXa, 'MaXa'),
    mapSheetNo: requiredText(wire.SoToBanDo, 'SoToBanDo'),
    parcelNo: requiredText(wire.SoThuaDat, 'SoThuaDat'),
    ...optional('oldNumbering', oldNumbering(wire.SoHieuCu)),
    area: area(wire.DienTich, 'DienTich'),
    ...optional('address', address(wire.DiaChi)),
    landUses: listOf<WireLandUse>(wire.DanhSachMucDichSuDung, 'MucDichSuDung').map(landUse),
    holders: listOf<WireHolder>(wire.DanhSachChuSuDung, 'ChuSuDung').map(holder),
    certificates: listOf<WireCertificate>(wire.DanhSachGiayChungNhan, 'GiayChungNhan').map(certificate),
    encumbrances: listOf<WireRestriction>(wire.DanhSachHanChe, 'HanChe').map(encumbrance),
    provenance,
  };
  const result = validate('land-parcel', parcel);
  if (!result.ok) {
    const where = result.errors.map((e) => `${e.path || '/'} ${e.code}`).join('; ');
    throw landErrors.malformed(`the answer maps to an invalid land parcel record: ${where}`);
  }
  return parcel;
}
