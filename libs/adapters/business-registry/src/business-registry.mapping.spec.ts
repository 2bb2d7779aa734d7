import { validate } from '@lienthong/contracts';
import { wireSample } from '../test-fixtures/wire-sample';
import {
  businessRegistryProvenance,
  fromWireDate,
  hasCheckDigitWarning,
  toDependentUnit,
  toEnterprise,
} from './business-registry.mapping';
import type { WireDependentUnit, WireEnterprise } from './business-registry.wire';

const provenance = businessRegistryProvenance(new Date('2026-10-31T02:15:02Z'), 3_600_000);
const enterprise = (): WireEnterprise => JSON.parse(wireSample('enterprise.ok.json'));
const unit = (): WireDependentUnit => JSON.parse(wireSample('dependent-unit.ok.json'));

describe('business registry mapping', () => {
  it('stamps provenance in Vietnam time with the validity period', () => {
    expect(provenance).toEqual({
      source: 'CSDLQG_DKDN',
      retrievedAt: '2026-10-31T09:15:02+07:00',
      validUntil: '2026-10-31T10:15:02+07:00',
    });
  });

  it('reads dd/MM/yyyy dates and refuses impossible ones', () => {
    expect(fromWireDate('22/05/2017')).toBe('2017-05-22');
    expect(fromWireDate('31/02/2020')).toBeUndefined();
    expect(fromWireDate('2017-05-22')).toBeUndefined();
  });

  it('maps the recorded samples to records the enterprise schema accepts', () => {
    expect(validate('enterprise', toEnterprise(enterprise(), provenance)).ok).toBe(true);
    expect(validate('enterprise', toDependentUnit(unit(), provenance)).ok).toBe(true);
  });

  it('joins the address below the commune and keeps the 2004-scheme codes', () => {
    const wire = enterprise();
    wire.diaChiTruSo = { ...wire.diaChiTruSo, soNha: 'Số 45', duong: 'đường Lê Lợi', thonXom: 'Khu phố 3' };
    expect(toEnterprise(wire, provenance).headOfficeAddress).toMatchObject({
      detail: 'Số 45 đường Lê Lợi, Khu phố 3',
      legacyProvinceCode: wire.diaChiTruSo.maTinhCu,
      legacyDistrictCode: wire.diaChiTruSo.maHuyenCu,
      legacyCommuneCode: wire.diaChiTruSo.maXaCu,
    });
  });

  it('maps each legal form, and one it does not know to OTHER', () => {
    const forms = {
      TNHH_1TV: 'LLC_SINGLE_MEMBER',
      CO_PHAN: 'JOINT_STOCK',
      DNTN: 'PRIVATE_ENTERPRISE',
      HTX: 'OTHER',
    };
    for (const [ma, type] of Object.entries(forms)) {
      expect(toEnterprise({ ...enterprise(), loaiHinh: { ma, ten: '' } }, provenance).type).toBe(type);
    }
  });

  it('refuses a status the contract does not list, a missing name and a bad date as malformed', () => {
    const cases: WireEnterprise[] = [
      { ...enterprise(), tinhTrang: { ma: 'KHONG_RO', ten: 'Không rõ' } },
      { ...enterprise(), tenDoanhNghiep: '  ' },
      { ...enterprise(), ngayThanhLap: '2017-05-22' },
      { ...enterprise(), soLanThayDoi: -1 },
    ];
    for (const wire of cases) {
      expect(() => toEnterprise(wire, provenance)).toThrow(
        expect.objectContaining({ code: 'BUSINESS_REGISTRY_MALFORMED_RESPONSE' }),
      );
    }
  });

  it('refuses an answer that maps to a record the schema refuses', () => {
    const wire = enterprise();
    wire.diaChiTruSo = { ...wire.diaChiTruSo, maXa: 'ABCDE' };
    expect(() => toEnterprise(wire, provenance)).toThrow(
      /invalid enterprise record: \/headOfficeAddress\/communeCode/,
    );
  });

  it('drops a representative personal ID that is not 12 digits rather than pass it on', () => {
    const wire = enterprise();
    wire.nguoiDaiDienTheoPhapLuat = [{ hoTen: 'Lê Thị Hoa', chucDanh: 'Giám đốc', soDinhDanh: '12345' }];
    expect(toEnterprise(wire, provenance).legalRepresentatives).toEqual([
      { fullName: 'Lê Thị Hoa', position: 'Giám đốc' },
    ]);
  });

  it('maps units to BRANCH or REPRESENTATIVE_OFFICE and refuses other kinds', () => {
    expect(toDependentUnit({ ...unit(), loaiDonVi: { ma: 'VAN_PHONG_DAI_DIEN' } }, provenance).kind).toBe(
      'REPRESENTATIVE_OFFICE',
    );
    expect(() =>
      toDependentUnit({ ...unit(), loaiDonVi: { ma: 'DIA_DIEM_KINH_DOANH' } }, provenance),
    ).toThrow(expect.objectContaining({ code: 'BUSINESS_REGISTRY_MALFORMED_RESPONSE' }));
  });

  it('flags a code whose check digit fails, for enterprises and their units', () => {
    expect(hasCheckDigitWarning('0100233488')).toBe(false);
    expect(hasCheckDigitWarning('0100233489')).toBe(true);
    expect(hasCheckDigitWarning('0100233489-001')).toBe(true);
  });
});
