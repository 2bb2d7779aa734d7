import { LAND_NAMESPACE, ThuaDatRecord } from './land.wire';

/** XML documents of the land lookup service (see contracts/upstream/land/tra-cuu-dat-dai.xsd). */

const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n';

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) =>
    c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '"' ? '&quot;' : '&apos;',
  );
}

function list(name: string, items: string, indent: string): string {
  return items === '' ? `${indent}<${name}/>\n` : `${indent}<${name}>\n${items}${indent}</${name}>\n`;
}

function el(name: string, value: string | number | undefined, indent: string): string {
  if (value === undefined) return '';
  return `${indent}<${name}>${escapeXml(String(value))}</${name}>\n`;
}

export function parcelXml(record: ThuaDatRecord, indent = '  '): string {
  const i1 = indent + '  ';
  const i2 = i1 + '  ';
  const i3 = i2 + '  ';
  let out = `${indent}<ThuaDat>\n`;
  out += el('MaThuaDat', record.maThuaDat, i1);
  out += el('MaXa', record.maXa, i1);
  out += el('SoToBanDo', record.soToBanDo, i1);
  out += el('SoThuaDat', record.soThuaDat, i1);
  if (record.soHieuCu) {
    out += `${i1}<SoHieuCu>\n`;
    out += el('MaXaCu', record.soHieuCu.maXaCu, i2);
    out += el('SoToBanDo', record.soHieuCu.soToBanDo, i2);
    out += el('SoThuaDat', record.soHieuCu.soThuaDat, i2);
    out += `${i1}</SoHieuCu>\n`;
  }
  out += `${i1}<DienTich donVi="m2">${record.dienTich}</DienTich>\n`;
  out += `${i1}<DiaChi>\n`;
  out += el('ChiTiet', record.diaChi.chiTiet, i2);
  out += el('MaXa', record.diaChi.maXa, i2);
  out += el('TenXa', record.diaChi.tenXa, i2);
  out += el('MaTinh', record.diaChi.maTinh, i2);
  out += el('TenTinh', record.diaChi.tenTinh, i2);
  out += `${i1}</DiaChi>\n`;

  let uses = '';
  for (const use of record.mucDichSuDung) {
    uses += `${i2}<MucDichSuDung>\n`;
    uses += el('KyHieu', use.kyHieu, i3);
    uses += el('Ten', use.ten, i3);
    uses += `${i3}<DienTich donVi="m2">${use.dienTich}</DienTich>\n`;
    uses += use.denNgay
      ? `${i3}<ThoiHan loai="${use.thoiHan}" denNgay="${use.denNgay}"/>\n`
      : `${i3}<ThoiHan loai="${use.thoiHan}"/>\n`;
    uses += el('NguonGoc', use.nguonGoc, i3);
    uses += `${i2}</MucDichSuDung>\n`;
  }
  out += list('DanhSachMucDichSuDung', uses, i1);

  let holders = '';
  for (const holder of record.chuSuDung) {
    holders += `${i2}<ChuSuDung loai="${holder.loai}">\n`;
    holders += el(holder.loai === 'CA_NHAN' ? 'HoTen' : 'TenToChuc', holder.ten, i3);
    holders += el('SoDinhDanh', holder.soDinhDanh, i3);
    holders += el('SoCMND', holder.soCMND, i3);
    holders += el('MaSoDoanhNghiep', holder.maSoDoanhNghiep, i3);
    holders += el('TyLe', holder.tyLe, i3);
    holders += `${i2}</ChuSuDung>\n`;
  }
  out += list('DanhSachChuSuDung', holders, i1);

  let certificates = '';
  for (const certificate of record.giayChungNhan) {
    certificates += `${i2}<GiayChungNhan trangThai="${certificate.trangThai}">\n`;
    certificates += el('SoPhatHanh', certificate.soPhatHanh, i3);
    certificates += el('SoVaoSo', certificate.soVaoSo, i3);
    certificates += el('NgayCap', certificate.ngayCap, i3);
    certificates += el('CoQuanCap', certificate.coQuanCap, i3);
    certificates += `${i2}</GiayChungNhan>\n`;
  }
  out += list('DanhSachGiayChungNhan', certificates, i1);

  let restrictions = '';
  for (const restriction of record.hanChe) {
    restrictions += `${i2}<HanChe loai="${restriction.loai}">\n`;
    restrictions += el('NgayDangKy', restriction.ngayDangKy, i3);
    restrictions += el('BenLienQuan', restriction.benLienQuan, i3);
    restrictions += el('GhiChu', restriction.ghiChu, i3);
    restrictions += `${i2}</HanChe>\n`;
  }
  out += list('DanhSachHanChe', restrictions, i1);
  out += `${indent}</ThuaDat>\n`;
  return out;
}

/** The answer to a successful lookup. */
export function resultDocument(record: ThuaDatRecord, requestId: string, at: Date): string {
  return (
    XML_DECLARATION +
    `<KetQuaTraCuu xmlns="${LAND_NAMESPACE}" maYeuCau="${escapeXml(requestId)}" thoiDiem="${at.toISOString()}">\n` +
    parcelXml(record) +
    '</KetQuaTraCuu>\n'
  );
}

/** Error codes: KHONG_TIM_THAY (404), DU_LIEU_KHONG_HOP_LE (400), CHUA_XAC_THUC (401), LOI_HE_THONG (500). */
export function errorDocument(code: string, message: string, requestId: string): string {
  return (
    XML_DECLARATION +
    `<Loi xmlns="${LAND_NAMESPACE}">\n` +
    `  <MaLoi>${escapeXml(code)}</MaLoi>\n` +
    `  <MoTa>${escapeXml(message)}</MoTa>\n` +
    `  <MaYeuCau>${escapeXml(requestId)}</MaYeuCau>\n` +
    '</Loi>\n'
  );
}
