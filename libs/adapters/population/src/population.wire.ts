/**
 * The population database's SOAP dialect as the adapter speaks it; the contract is
 * contracts/upstream/population/csdlqg-dancu.{wsdl,xsd} (shipped, never fetched at start-up).
 * Field names are the wire's (Vietnamese); population.mapping.ts turns them into the canonical model.
 */
export const POPULATION_NAMESPACE = 'urn:vn:csdlqg:dancu:v1';
export const SOAP_ENVELOPE_NAMESPACE = 'http://schemas.xmlsoap.org/soap/envelope/';

export const POPULATION_OPERATIONS = {
  lookup: 'TraCuuThongTinCongDan',
  verify: 'XacThucThongTinCongDan',
} as const;
export type PopulationOperation = (typeof POPULATION_OPERATIONS)[keyof typeof POPULATION_OPERATIONS];

/** Business error codes of the signed fault detail (LoiNghiepVu/MaLoi). */
export const POPULATION_FAULT_CODES = {
  notFound: 'KHONG_TIM_THAY',
  invalidInput: 'DU_LIEU_KHONG_HOP_LE',
  badSignature: 'CHU_KY_KHONG_HOP_LE',
  busy: 'HE_THONG_BAN',
} as const;

/** The SOAPAction of an operation (quoted on the wire). */
export function soapAction(operation: PopulationOperation): string {
  return `"${POPULATION_NAMESPACE}#${operation}"`;
}

export interface WireAddress {
  MaTinh?: string;
  TenTinh?: string;
  MaXa?: string;
  TenXa?: string;
  ChiTiet?: string;
  MaTinhCu?: string;
  MaHuyenCu?: string;
  MaXaCu?: string;
}

export interface WireHouseholdHead {
  HoVaTen?: string;
  SoDinhDanh?: string;
  QuanHe?: string;
}

/** CongDanType. */
export interface WireCitizen {
  SoDinhDanh?: string;
  SoCMND?: string;
  HoVaTen?: string;
  /** yyyyMMdd, yyyyMM or yyyy. */
  NgayThangNamSinh?: string;
  /** 1 Nam, 2 Nữ. */
  GioiTinh?: string;
  QuocTich?: string;
  DanToc?: string;
  TonGiao?: string;
  QueQuan?: WireAddress;
  ThuongTru?: WireAddress;
  NoiOHienTai?: WireAddress;
  HoTenCha?: string;
  HoTenMe?: string;
  HoTenVoChong?: string;
  ChuHo?: WireHouseholdHead;
}

/** KetQuaXacThucType: KHOP, KHONG_KHOP or KHONG_XAC_DINH per submitted field. */
export interface WireVerification {
  HoVaTen?: string;
  NgayThangNamSinh?: string;
}
