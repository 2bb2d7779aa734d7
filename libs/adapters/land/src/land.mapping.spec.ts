import { validate } from '@lienthong/contracts';
import { wireSample } from '../test-fixtures/wire-sample';
import { cadastralKey, certificateKey, landProvenance, toLandParcel } from './land.mapping';
import type { WireParcel } from './land.wire';
import { parseLandDocument } from './land.xml';

const provenance = landProvenance(new Date('2026-10-31T02:15:02Z'), 24 * 3_600_000);

async function parcelOf(xml: string): Promise<WireParcel> {
  const document = await parseLandDocument(xml, 200);
  return document.node.ThuaDat as WireParcel;
}

const sample = () => wireSample('parcel.ok.xml');

describe('land mapping', () => {
  it('maps the recorded samples to records the land-parcel schema accepts', async () => {
    for (const file of ['parcel.ok.xml', 'parcel.enterprise.xml', 'certificate.ok.xml']) {
      expect(validate('land-parcel', toLandParcel(await parcelOf(wireSample(file)), provenance)).ok).toBe(
        true,
      );
    }
  });

  it('reads empty lists as empty arrays and a lone child as a one-element array', async () => {
    const xml = sample()
      .replace(/<DanhSachHanChe>[\s\S]*<\/DanhSachHanChe>/, '<DanhSachHanChe/>')
      .replace(/<DanhSachGiayChungNhan>[\s\S]*<\/DanhSachGiayChungNhan>/, '<DanhSachGiayChungNhan/>');
    const parcel = toLandParcel(await parcelOf(xml), provenance);
    expect(parcel.encumbrances).toEqual([]);
    expect(parcel.certificates).toEqual([]);
    expect(parcel.landUses).toHaveLength(1);
  });

  it('converts hectares to square metres', async () => {
    const xml = sample().replace(
      '<DienTich donVi="m2">3336.6</DienTich>',
      '<DienTich donVi="ha">0.33366</DienTich>',
    );
    expect(toLandParcel(await parcelOf(xml), provenance).area).toBe(3336.6);
  });

  it('maps a restriction kind it does not know to OTHER, keeping its date and note', async () => {
    const xml = sample().replace('<HanChe loai="THE_CHAP">', '<HanChe loai="KE_BIEN_TAI_SAN">');
    expect(toLandParcel(await parcelOf(xml), provenance).encumbrances?.[0].kind).toBe('OTHER');
  });

  it('refuses unknown holder kinds, fixed terms without an end and non-positive areas', async () => {
    const broken = [
      sample().replace('<ChuSuDung loai="CA_NHAN">', '<ChuSuDung loai="HO_GIA_DINH">'),
      sample().replace(' denNgay="2068-07-20"', ''),
      sample().replace(
        '<DienTich donVi="m2">3336.6</DienTich>\n    <DiaChi>',
        '<DienTich donVi="m2">0</DienTich>\n    <DiaChi>',
      ),
      sample().replace('<NgayCap>2018-07-20</NgayCap>', '<NgayCap>20/07/2018</NgayCap>'),
    ];
    for (const xml of broken) {
      await expect((async () => toLandParcel(await parcelOf(xml), provenance))()).rejects.toMatchObject({
        code: 'LAND_MALFORMED_RESPONSE',
      });
    }
  });

  it('refuses a record the schema refuses (a personal ID of the wrong length)', async () => {
    const xml = sample().replace('<SoDinhDanh>036145944550</SoDinhDanh>', '<SoDinhDanh>0361459</SoDinhDanh>');
    await expect((async () => toLandParcel(await parcelOf(xml), provenance))()).rejects.toThrow(
      /invalid land parcel record: \/holders\/0\/personalId/,
    );
  });

  it('compares sheet, parcel and certificate numbers the way cadastral records are written', () => {
    expect(cadastralKey('015')).toBe(cadastralKey('15'));
    expect(cadastralKey('45a')).toBe(cadastralKey('45A'));
    expect(certificateKey('da 01234567')).toBe(certificateKey('DA01234567'));
  });
});
