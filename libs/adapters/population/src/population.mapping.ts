import { Address, Citizen, HouseholdHead, Provenance, validate } from '@lienthong/contracts';
import { populationErrors } from './population.errors';
import type { WireRecord } from './population.soap';
import type { WireAddress, WireCitizen, WireHouseholdHead, WireVerification } from './population.wire';
import { optionalField as optional, wireText as text } from '@lienthong/adapters/common';
import { vietnamDateTime } from '@lienthong/domain';

/** Provenance `source` of everything obtained from the National Population Database. */
export const POPULATION_SOURCE = 'CSDLQG_DAN_CU';

/** Result of verifying one submitted field. */
export type FieldVerification = 'MATCH' | 'NO_MATCH' | 'UNDETERMINED';

/** What `verifyCitizen` returns: per submitted field, whether the register agrees; never the record itself. */
export interface CitizenVerification {
  personalId: string;
  fields: { fullName?: FieldVerification; dateOfBirth?: FieldVerification };
  /** True when every submitted field matched. */
  allMatch: boolean;
  provenance: Provenance;
}

const WIRE_MATCH: Record<string, FieldVerification> = {
  KHOP: 'MATCH',
  KHONG_KHOP: 'NO_MATCH',
  KHONG_XAC_DINH: 'UNDETERMINED',
};

/** Provenance of data retrieved at `retrievedAt` and valid for `ttlMs` (Decree 47/2020). */
export function populationProvenance(retrievedAt: Date, ttlMs: number): Provenance {
  return {
    source: POPULATION_SOURCE,
    retrievedAt: vietnamDateTime(retrievedAt),
    validUntil: vietnamDateTime(new Date(retrievedAt.getTime() + ttlMs)),
  };
}

/** `yyyyMMdd` / `yyyyMM` / `yyyy` -> `YYYY-MM-DD` / `YYYY-MM` / `YYYY`; undefined when not of that shape. */
export function fromWireDate(value: string): string | undefined {
  if (!/^[0-9]{4}([0-9]{2}([0-9]{2})?)?$/.test(value)) return undefined;
  return [value.slice(0, 4), value.slice(4, 6), value.slice(6, 8)].filter((p) => p !== '').join('-');
}

/** `YYYY-MM-DD` / `YYYY-MM` / `YYYY` -> wire form. */
export function toWireDate(partialDate: string): string {
  return partialDate.replace(/-/g, '');
}

/**
 * CongDan (wire) -> canonical Citizen. Names are NFC-normalised and trimmed; an element the contract
 * marks optional but that is empty is dropped. The result is validated against contracts/schemas/citizen:
 * an answer that does not make a valid citizen is a POPULATION_MALFORMED_RESPONSE naming the offending paths.
 */
export function toCitizen(wire: WireCitizen, provenance: Provenance): Citizen {
  const sex = wire.GioiTinh === '1' ? 'MALE' : wire.GioiTinh === '2' ? 'FEMALE' : undefined;
  const dateOfBirth = wire.NgayThangNamSinh === undefined ? undefined : fromWireDate(wire.NgayThangNamSinh);
  const citizen = {
    personalId: required(wire.SoDinhDanh, 'SoDinhDanh'),
    ...optional('legacyIdCard', wire.SoCMND),
    fullName: required(name(wire.HoVaTen), 'HoVaTen'),
    dateOfBirth: required(dateOfBirth, 'NgayThangNamSinh'),
    sex: required(sex, 'GioiTinh'),
    nationality: required(wire.QuocTich?.trim().toUpperCase(), 'QuocTich'),
    ...optional('ethnicity', text(wire.DanToc)),
    ...optional('religion', text(wire.TonGiao)),
    ...optional('placeOfOrigin', address(wire.QueQuan)),
    ...optional('permanentResidence', address(wire.ThuongTru)),
    ...optional('currentResidence', address(wire.NoiOHienTai)),
    ...optional('fatherName', name(wire.HoTenCha)),
    ...optional('motherName', name(wire.HoTenMe)),
    ...optional('spouseName', name(wire.HoTenVoChong)),
    ...optional('householdHead', householdHead(wire.ChuHo)),
    provenance,
  } as Citizen;
  const checked = validate('citizen', citizen);
  if (!checked.ok) {
    throw populationErrors.malformed(
      `the citizen record does not satisfy the canonical contract at ${checked.errors
        .map((e) => e.path || '/')
        .join(', ')}`,
    );
  }
  return checked.value;
}

/** KetQuaXacThuc (wire) -> per-field results for the fields that were submitted. */
export function toVerification(
  personalId: string,
  submitted: { fullName?: string; dateOfBirth?: string },
  wire: WireVerification,
  provenance: Provenance,
): CitizenVerification {
  const fields: CitizenVerification['fields'] = {};
  if (submitted.fullName !== undefined) fields.fullName = match(wire.HoVaTen, 'HoVaTen');
  if (submitted.dateOfBirth !== undefined)
    fields.dateOfBirth = match(wire.NgayThangNamSinh, 'NgayThangNamSinh');
  const results = Object.values(fields);
  return {
    personalId,
    fields,
    allMatch: results.length > 0 && results.every((r) => r === 'MATCH'),
    provenance,
  };
}

/** A wire record (from population.soap) seen as CongDan. */
export function asWireCitizen(record: WireRecord | string | undefined): WireCitizen {
  if (record === undefined || typeof record === 'string') {
    throw populationErrors.malformed('the answer has no CongDan element');
  }
  return record as WireCitizen;
}

/** A wire record seen as KetQuaXacThuc. */
export function asWireVerification(record: WireRecord | string | undefined): WireVerification {
  if (record === undefined) throw populationErrors.malformed('the answer has no KetQuaXacThuc element');
  return (typeof record === 'string' ? {} : record) as WireVerification;
}

function match(value: string | undefined, field: string): FieldVerification {
  const result = value === undefined ? undefined : WIRE_MATCH[value.trim()];
  if (!result) throw populationErrors.malformed(`no verification result for ${field}`);
  return result;
}

function required<T>(value: T | undefined, field: string): T {
  if (value === undefined || value === '') throw populationErrors.malformed(`missing or unreadable ${field}`);
  return value;
}

function name(value: string | undefined): string | undefined {
  return text(value)?.replace(/\s+/g, ' ');
}

function address(wire: WireAddress | undefined): Address | undefined {
  if (wire === undefined || typeof wire !== 'object') return undefined;
  return {
    ...optional('detail', text(wire.ChiTiet)),
    communeCode: required(text(wire.MaXa), 'MaXa'),
    ...optional('communeName', text(wire.TenXa)),
    provinceCode: required(text(wire.MaTinh), 'MaTinh'),
    ...optional('provinceName', text(wire.TenTinh)),
    ...optional('legacyProvinceCode', text(wire.MaTinhCu)),
    ...optional('legacyDistrictCode', text(wire.MaHuyenCu)),
    ...optional('legacyCommuneCode', text(wire.MaXaCu)),
  };
}

function householdHead(wire: WireHouseholdHead | undefined): HouseholdHead | undefined {
  if (wire === undefined || typeof wire !== 'object') return undefined;
  return {
    fullName: required(name(wire.HoVaTen), 'ChuHo/HoVaTen'),
    ...optional('personalId', text(wire.SoDinhDanh)),
    ...optional('relationship', text(wire.QuanHe)),
  };
}
