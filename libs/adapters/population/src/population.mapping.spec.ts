import { fromWireDate, populationProvenance, toCitizen, toVerification, WireCitizen } from './index';
import { vietnamDateTime } from '@lienthong/domain';

const provenance = populationProvenance(new Date('2026-10-31T02:15:02Z'), 24 * 3_600_000);

const wire: WireCitizen = {
  SoDinhDanh: '001090012345',
  SoCMND: '012345678',
  HoVaTen: '  Nguyễn   Văn An ',
  NgayThangNamSinh: '19900517',
  GioiTinh: '1',
  QuocTich: 'vn',
  DanToc: 'Kinh',
  TonGiao: 'Không',
  QueQuan: { MaTinh: '33', MaXa: '10507', ChiTiet: 'Thôn Đông' },
  ThuongTru: {
    MaTinh: '01',
    TenTinh: 'Thành phố Hà Nội',
    MaXa: '00004',
    ChiTiet: 'Số 12 ngõ 34 phố Đội Cấn',
    MaTinhCu: '01',
    MaHuyenCu: '001',
    MaXaCu: '00004',
  },
  HoTenCha: 'Nguyễn Văn Bình',
  HoTenMe: 'Trần Thị Cúc',
  ChuHo: { HoVaTen: 'Nguyễn Văn Bình', QuanHe: 'Con' },
};

describe('population wire -> canonical mapping', () => {
  it('maps every field, keeps legacy admin codes, normalises names', () => {
    expect(toCitizen(wire, provenance)).toEqual({
      personalId: '001090012345',
      legacyIdCard: '012345678',
      fullName: 'Nguyễn Văn An',
      dateOfBirth: '1990-05-17',
      sex: 'MALE',
      nationality: 'VN',
      ethnicity: 'Kinh',
      religion: 'Không',
      placeOfOrigin: { detail: 'Thôn Đông', communeCode: '10507', provinceCode: '33' },
      permanentResidence: {
        detail: 'Số 12 ngõ 34 phố Đội Cấn',
        communeCode: '00004',
        provinceCode: '01',
        provinceName: 'Thành phố Hà Nội',
        legacyProvinceCode: '01',
        legacyDistrictCode: '001',
        legacyCommuneCode: '00004',
      },
      fatherName: 'Nguyễn Văn Bình',
      motherName: 'Trần Thị Cúc',
      householdHead: { fullName: 'Nguyễn Văn Bình', relationship: 'Con' },
      provenance: {
        source: 'CSDLQG_DAN_CU',
        retrievedAt: '2026-10-31T09:15:02+07:00',
        validUntil: '2026-11-01T09:15:02+07:00',
      },
    });
  });

  it('normalises decomposed Vietnamese text to NFC', () => {
    const decomposed = 'Nguyễn Thị Ánh'.normalize('NFD');
    expect(toCitizen({ ...wire, HoVaTen: decomposed }, provenance).fullName).toBe('Nguyễn Thị Ánh');
  });

  it.each([
    ['an unknown gender code', { GioiTinh: '3' }],
    ['a missing name', { HoVaTen: '   ' }],
    ['an impossible date', { NgayThangNamSinh: '19900230' }],
    ['a date of another shape', { NgayThangNamSinh: '17/05/1990' }],
    ['a commune code of the wrong shape', { ThuongTru: { MaTinh: '01', MaXa: '4' } }],
    ['an address without a commune', { QueQuan: { MaTinh: '33' } }],
    ['a malformed personal ID', { SoDinhDanh: '00109001234' }],
  ])('refuses a record with %s as malformed, naming no value', (_case, change) => {
    let error: unknown;
    try {
      toCitizen({ ...wire, ...change } as WireCitizen, provenance);
    } catch (caught) {
      error = caught;
    }
    expect(error).toMatchObject({ code: 'POPULATION_MALFORMED_RESPONSE' });
    expect((error as Error).message).not.toContain('001090012345');
  });

  it('maps verification results for the submitted fields only', () => {
    expect(toVerification('001090012345', { fullName: 'x' }, { HoVaTen: 'KHOP' }, provenance)).toMatchObject({
      fields: { fullName: 'MATCH' },
      allMatch: true,
    });
    expect(
      toVerification(
        '001090012345',
        { fullName: 'x', dateOfBirth: '1948' },
        { HoVaTen: 'KHOP', NgayThangNamSinh: 'KHONG_XAC_DINH' },
        provenance,
      ),
    ).toMatchObject({ fields: { fullName: 'MATCH', dateOfBirth: 'UNDETERMINED' }, allMatch: false });
    expect(() => toVerification('001090012345', { dateOfBirth: '1948' }, {}, provenance)).toThrow(
      expect.objectContaining({ code: 'POPULATION_MALFORMED_RESPONSE' }),
    );
  });

  it('reads partial dates and writes Vietnam time', () => {
    expect(fromWireDate('1948')).toBe('1948');
    expect(fromWireDate('194803')).toBe('1948-03');
    expect(fromWireDate('1948031')).toBeUndefined();
    expect(vietnamDateTime(new Date('2026-12-31T20:00:00Z'))).toBe('2027-01-01T03:00:00+07:00');
  });
});
