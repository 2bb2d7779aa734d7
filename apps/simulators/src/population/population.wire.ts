import { parentElement, textElement } from '@lienthong/pki';
import type { PopulationAddress, PopulationRecord } from './population.dataset';
import { vietnamCompact } from '@lienthong/domain';

/**
 * The population database's SOAP 1.1 dialect, as published in contracts/upstream/population
 * (csdlqg-dancu.wsdl, csdlqg-dancu.xsd). Document/literal; every payload element carries an `Id` and an
 * enveloped XML signature (see @lienthong/pki, xml-signature.profile.ts).
 */
export const POPULATION_NAMESPACE = 'urn:vn:csdlqg:dancu:v1';
export const SOAP_ENVELOPE_NAMESPACE = 'http://schemas.xmlsoap.org/soap/envelope/';
export const POPULATION_SERVICE_PATH = '/ws/congdan';

export const POPULATION_OPERATIONS = {
  /** Look a citizen up by personal ID. */
  lookup: 'TraCuuThongTinCongDan',
  /** Check submitted fields (name, date of birth) against the register without disclosing it. */
  verify: 'XacThucThongTinCongDan',
} as const;
export type PopulationOperation = (typeof POPULATION_OPERATIONS)[keyof typeof POPULATION_OPERATIONS];

/** Business error codes carried in the signed fault detail (LoiNghiepVu/MaLoi). */
export const POPULATION_FAULTS = {
  notFound: 'KHONG_TIM_THAY',
  invalidInput: 'DU_LIEU_KHONG_HOP_LE',
  badSignature: 'CHU_KY_KHONG_HOP_LE',
  busy: 'HE_THONG_BAN',
} as const;
export type PopulationFaultCode = (typeof POPULATION_FAULTS)[keyof typeof POPULATION_FAULTS];

/** faultstring (Vietnamese) and faultcode of each business error. */
export const FAULT_TEXT: Record<
  PopulationFaultCode,
  { faultcode: 'soap:Client' | 'soap:Server'; text: string }
> = {
  KHONG_TIM_THAY: {
    faultcode: 'soap:Client',
    text: 'Không tìm thấy thông tin công dân với số định danh cá nhân đã cung cấp',
  },
  DU_LIEU_KHONG_HOP_LE: { faultcode: 'soap:Client', text: 'Dữ liệu yêu cầu không hợp lệ' },
  CHU_KY_KHONG_HOP_LE: {
    faultcode: 'soap:Client',
    text: 'Chữ ký số của yêu cầu không hợp lệ hoặc không được tin cậy',
  },
  HE_THONG_BAN: { faultcode: 'soap:Server', text: 'Hệ thống đang bận, vui lòng thử lại sau' },
};

/** Results of a field verification. */
export const MATCH = 'KHOP';
export const NO_MATCH = 'KHONG_KHOP';
/** The register holds the date only in part and cannot confirm a more precise one. */
export const UNDETERMINED = 'KHONG_XAC_DINH';
export type FieldMatch = typeof MATCH | typeof NO_MATCH | typeof UNDETERMINED;

/** Gender codes on the wire. */
export const GENDER_CODES = { MALE: '1', FEMALE: '2' } as const;

/** `YYYY-MM-DD` / `YYYY-MM` / `YYYY` -> `yyyyMMdd` / `yyyyMM` / `yyyy`. */
export function toWireDate(partialDate: string): string {
  return partialDate.replace(/-/g, '');
}

/** `yyyyMMddHHmmss` in Vietnam time (UTC+7, no daylight saving). */
export function toWireTimestamp(date: Date): string {
  return vietnamCompact(date);
}

function addressXml(name: string, address: PopulationAddress): string {
  return parentElement(
    name,
    textElement('MaTinh', address.provinceCode) +
      textElement('TenTinh', address.provinceName) +
      textElement('MaXa', address.communeCode) +
      textElement('TenXa', address.communeName) +
      textElement('ChiTiet', address.detail),
  );
}

/** Canonical `<CongDan>` element of a record, children in the order of CongDanType in the XSD. */
export function citizenXml(record: PopulationRecord): string {
  return parentElement(
    'CongDan',
    textElement('SoDinhDanh', record.personalId) +
      textElement('SoCMND', record.legacyIdCard) +
      textElement('HoVaTen', record.fullName) +
      textElement('NgayThangNamSinh', toWireDate(record.dateOfBirth)) +
      textElement('GioiTinh', GENDER_CODES[record.sex]) +
      textElement('QuocTich', record.nationality) +
      textElement('DanToc', record.ethnicity) +
      textElement('TonGiao', record.religion) +
      addressXml('QueQuan', record.placeOfOrigin) +
      addressXml('ThuongTru', record.permanentResidence) +
      addressXml('NoiOHienTai', record.currentResidence) +
      textElement('HoTenCha', record.fatherName) +
      textElement('HoTenMe', record.motherName) +
      textElement('HoTenVoChong', record.spouseName) +
      parentElement(
        'ChuHo',
        textElement('HoVaTen', record.householdHead.fullName) +
          textElement('SoDinhDanh', record.householdHead.personalId) +
          textElement('QuanHe', record.householdHead.relationship),
      ),
  );
}

/** `<?xml ...?><soap:Envelope><soap:Body>...</soap:Body></soap:Envelope>` */
export function soapEnvelope(body: string): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?>` +
    `<soap:Envelope xmlns:soap="${SOAP_ENVELOPE_NAMESPACE}"><soap:Body>${body}</soap:Body></soap:Envelope>`
  );
}

/** A SOAP 1.1 fault whose detail is the signed LoiNghiepVu element. */
export function soapFault(code: PopulationFaultCode, signedDetail: string, reason?: string): string {
  const { faultcode, text } = FAULT_TEXT[code];
  const faultstring = reason ? `${text}: ${reason}` : text;
  return soapEnvelope(
    `<soap:Fault><faultcode>${faultcode}</faultcode>` +
      `<faultstring xml:lang="vi">${escapeText(faultstring)}</faultstring>` +
      `<detail>${signedDetail}</detail></soap:Fault>`,
  );
}

function escapeText(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
