import {
  Address,
  Enterprise,
  EnterpriseKind,
  EnterpriseStatus,
  LegalForm,
  LegalRepresentative,
  Provenance,
  validate,
} from '@lienthong/contracts';
import { validateEnterpriseCode, vietnamDateTime } from '@lienthong/domain';
import { businessRegistryErrors, BusinessRegistryError } from './business-registry.errors';
import type { WireAddress, WireDependentUnit, WireEnterprise, WirePerson } from './business-registry.wire';
import { optionalField as optional, wireText as text } from '@lienthong/adapters/common';

/** Provenance `source` of everything obtained from the National Business Registration Database. */
export const BUSINESS_REGISTRY_SOURCE = 'CSDLQG_DKDN';

/** Legal form (loaiHinh.ma) -> canonical type; a form not listed maps to OTHER. */
export const LEGAL_FORMS: Readonly<Record<string, LegalForm>> = Object.freeze({
  TNHH_1TV: 'LLC_SINGLE_MEMBER',
  TNHH_2TV: 'LLC_MULTI_MEMBER',
  CO_PHAN: 'JOINT_STOCK',
  HOP_DANH: 'PARTNERSHIP',
  DNTN: 'PRIVATE_ENTERPRISE',
});

/** Legal status (tinhTrang.ma) -> canonical status; a status not listed makes the answer malformed. */
export const STATUSES: Readonly<Record<string, EnterpriseStatus>> = Object.freeze({
  DANG_HOAT_DONG: 'ACTIVE',
  TAM_NGUNG_KINH_DOANH: 'SUSPENDED',
  KHONG_HOAT_DONG_TAI_DIA_CHI: 'NOT_OPERATING_AT_ADDRESS',
  DANG_LAM_THU_TUC_GIAI_THE: 'DISSOLVING',
  DA_GIAI_THE: 'DISSOLVED',
  DA_PHA_SAN: 'BANKRUPT',
  BI_THU_HOI_GCN: 'CERTIFICATE_REVOKED',
  CHAM_DUT_TON_TAI: 'TERMINATED_BY_REORGANISATION',
});

/** Kind of dependent unit (loaiDonVi.ma) -> canonical kind. */
export const UNIT_KINDS: Readonly<Record<string, EnterpriseKind>> = Object.freeze({
  CHI_NHANH: 'BRANCH',
  VAN_PHONG_DAI_DIEN: 'REPRESENTATIVE_OFFICE',
});

/** Provenance of data retrieved at `retrievedAt` and valid for `ttlMs` (Decree 47/2020). */
export function businessRegistryProvenance(retrievedAt: Date, ttlMs: number): Provenance {
  return {
    source: BUSINESS_REGISTRY_SOURCE,
    retrievedAt: vietnamDateTime(retrievedAt),
    validUntil: vietnamDateTime(new Date(retrievedAt.getTime() + ttlMs)),
  };
}

/** `dd/MM/yyyy` -> `YYYY-MM-DD`, or undefined when it is not a real calendar date. */
export function fromWireDate(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const match = /^([0-9]{2})\/([0-9]{2})\/([0-9]{4})$/.exec(value.trim());
  if (!match) return undefined;
  const [, dd, mm, yyyy] = match;
  const date = new Date(Date.UTC(Number(yyyy), Number(mm) - 1, Number(dd)));
  if (
    date.getUTCFullYear() !== Number(yyyy) ||
    date.getUTCMonth() !== Number(mm) - 1 ||
    date.getUTCDate() !== Number(dd)
  ) {
    return undefined;
  }
  return `${yyyy}-${mm}-${dd}`;
}

/** True when the 10-digit root of the code fails the check-digit rule (a warning, never a rejection). */
export function hasCheckDigitWarning(code: string): boolean {
  return validateEnterpriseCode(code).warnings.some((w) => w.code === 'ENTERPRISE_CODE_CHECK_DIGIT');
}

function malformed(field: string, problem = 'is missing or malformed'): BusinessRegistryError {
  return businessRegistryErrors.malformed(`the answer's ${field} ${problem}`);
}

function requiredText(value: unknown, field: string): string {
  const result = text(value);
  if (result === undefined) throw malformed(field);
  return result;
}

function requiredDate(value: unknown, field: string): string {
  const iso = fromWireDate(value);
  if (iso === undefined) throw malformed(field);
  return iso;
}

function optionalDate(value: unknown, field: string): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  return requiredDate(value, field);
}

function code(value: { ma?: unknown } | undefined, field: string): string {
  return requiredText(value?.ma, `${field}.ma`);
}

function address(wire: WireAddress | undefined, field: string): Address {
  if (!wire || typeof wire !== 'object') throw malformed(field);
  const street = [text(wire.soNha), text(wire.duong)].filter(Boolean).join(' ');
  const detail = [street, text(wire.thonXom)].filter(Boolean).join(', ');
  return {
    ...optional('detail', detail === '' ? undefined : detail),
    communeCode: requiredText(wire.maXa, `${field}.maXa`),
    ...optional('communeName', text(wire.tenXa)),
    provinceCode: requiredText(wire.maTinh, `${field}.maTinh`),
    ...optional('provinceName', text(wire.tenTinh)),
    ...optional('legacyProvinceCode', text(wire.maTinhCu)),
    ...optional('legacyDistrictCode', text(wire.maHuyenCu)),
    ...optional('legacyCommuneCode', text(wire.maXaCu)),
  };
}

function representative(wire: WirePerson | undefined, field: string): LegalRepresentative {
  if (!wire || typeof wire !== 'object') throw malformed(field);
  const personalId = text(wire.soDinhDanh);
  return {
    fullName: requiredText(wire.hoTen, `${field}.hoTen`),
    position: requiredText(wire.chucDanh, `${field}.chucDanh`),
    ...optional(
      'personalId',
      personalId !== undefined && /^[0-9]{12}$/.test(personalId) ? personalId : undefined,
    ),
  };
}

function status(wire: { ma?: unknown } | undefined): EnterpriseStatus {
  const value = STATUSES[code(wire, 'tinhTrang')];
  if (!value) throw malformed('tinhTrang.ma', 'is not a status the contract lists');
  return value;
}

/** Checks the canonical record against contracts/schemas/enterprise.v1.json. */
function checked(enterprise: Enterprise): Enterprise {
  const result = validate('enterprise', enterprise);
  if (!result.ok) {
    const where = result.errors.map((e) => `${e.path || '/'} ${e.code}`).join('; ');
    throw businessRegistryErrors.malformed(`the answer maps to an invalid enterprise record: ${where}`);
  }
  return enterprise;
}

/** An enterprise (10-digit code) in the canonical model. */
export function toEnterprise(wire: WireEnterprise, provenance: Provenance): Enterprise {
  if (!wire || typeof wire !== 'object') throw malformed('body');
  const enterpriseCode = requiredText(wire.maSoDoanhNghiep, 'maSoDoanhNghiep');
  const amendments = wire.soLanThayDoi;
  if (amendments !== undefined && (!Number.isInteger(amendments) || amendments < 0))
    throw malformed('soLanThayDoi');
  const capital = wire.vonDieuLe;
  if (capital !== undefined && (typeof capital !== 'number' || !(capital >= 0))) throw malformed('vonDieuLe');
  const people = wire.nguoiDaiDienTheoPhapLuat;
  if (people !== undefined && !Array.isArray(people)) throw malformed('nguoiDaiDienTheoPhapLuat');
  return checked({
    enterpriseCode,
    kind: 'ENTERPRISE',
    name: requiredText(wire.tenDoanhNghiep, 'tenDoanhNghiep'),
    ...optional('foreignName', text(wire.tenTiengNuocNgoai)),
    ...optional('shortName', text(wire.tenVietTat)),
    type: LEGAL_FORMS[code(wire.loaiHinh, 'loaiHinh')] ?? 'OTHER',
    status: status(wire.tinhTrang),
    registrationDate: requiredDate(wire.ngayThanhLap, 'ngayThanhLap'),
    ...optional('lastAmendmentDate', optionalDate(wire.ngayThayDoiGanNhat, 'ngayThayDoiGanNhat')),
    ...optional('amendmentCount', amendments),
    headOfficeAddress: address(wire.diaChiTruSo, 'diaChiTruSo'),
    ...optional(
      'legalRepresentatives',
      people && people.length > 0
        ? people.map((p, i) => representative(p, `nguoiDaiDienTheoPhapLuat[${i}]`))
        : undefined,
    ),
    ...optional('charterCapital', capital),
    checkDigitWarning: hasCheckDigitWarning(enterpriseCode),
    provenance,
  });
}

/** A dependent unit (13-character code) in the canonical model: a BRANCH or REPRESENTATIVE_OFFICE. */
export function toDependentUnit(wire: WireDependentUnit, provenance: Provenance): Enterprise {
  if (!wire || typeof wire !== 'object') throw malformed('body');
  const enterpriseCode = requiredText(wire.maSoDonVi, 'maSoDonVi');
  const kind = UNIT_KINDS[code(wire.loaiDonVi, 'loaiDonVi')];
  if (!kind) throw malformed('loaiDonVi.ma', 'is not a kind of dependent unit the contract lists');
  return checked({
    enterpriseCode,
    kind,
    name: requiredText(wire.tenDonVi, 'tenDonVi'),
    status: status(wire.tinhTrang),
    registrationDate: requiredDate(wire.ngayThanhLap, 'ngayThanhLap'),
    headOfficeAddress: address(wire.diaChiTruSo, 'diaChiTruSo'),
    ...optional(
      'legalRepresentatives',
      wire.nguoiDungDau ? [representative(wire.nguoiDungDau, 'nguoiDungDau')] : undefined,
    ),
    parentEnterpriseCode: requiredText(wire.maSoDoanhNghiepMe, 'maSoDoanhNghiepMe'),
    checkDigitWarning: hasCheckDigitWarning(enterpriseCode),
    provenance,
  });
}

/** Reads a JSON body as an object, or throws MALFORMED_RESPONSE. */
export function parseJsonObject(body: string, status: number): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (error) {
    throw businessRegistryErrors.malformed('the answer is not valid JSON', { status }, { cause: error });
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw businessRegistryErrors.malformed('the answer is not a JSON object', { status });
  }
  return value as Record<string, unknown>;
}
