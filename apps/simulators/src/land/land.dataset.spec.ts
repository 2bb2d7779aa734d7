import { validateCommuneCode, validateEnterpriseCode, validatePersonalId } from '@lienthong/domain';
import { BusinessRegistryDataset } from '../business-registry/business-registry.dataset';
import { findCommune } from '../shared/admin-units';
import { LandDataset } from './land.dataset';
import { sampleCertificates, sampleParcels } from './land.samples';

describe('LandDataset', () => {
  const dataset = new LandDataset({ seed: 42 });

  it('derives the same parcel from the same seed and index', () => {
    expect(new LandDataset({ seed: 42 }).parcelAt(4321)).toEqual(dataset.parcelAt(4321));
    expect(new LandDataset({ seed: 43 }).parcelAt(4321)).not.toEqual(dataset.parcelAt(4321));
  });

  it('numbers parcels by commune, map sheet and parcel number, and finds them back', () => {
    const keys = new Set<string>();
    for (let i = 0; i < 20_000; i += 7) {
      const key = dataset.keyAt(i);
      const id = `${key.communeCode}/${key.mapSheetNo}/${key.parcelNo}`;
      expect(keys.has(id)).toBe(false);
      keys.add(id);
      expect(validateCommuneCode(key.communeCode).valid).toBe(true);
      expect(dataset.indexOfParcel(key.communeCode, key.mapSheetNo, key.parcelNo)).toBe(i);
    }
    const last = dataset.keyAt(dataset.size - 1);
    expect(dataset.indexOfParcel(last.communeCode, last.mapSheetNo, last.parcelNo)).toBe(dataset.size - 1);
    const key = dataset.keyAt(10);
    expect(dataset.indexOfParcel(key.communeCode, `0${key.mapSheetNo}`, key.parcelNo)).toBe(10);
    expect(dataset.indexOfParcel(key.communeCode, key.mapSheetNo, `${key.parcelNo}a`)).toBeUndefined();
    expect(dataset.indexOfParcel(key.communeCode, '999', key.parcelNo)).toBeUndefined();
    expect(dataset.indexOfParcel('99999', '1', '1')).toBeUndefined();
  });

  it('finds a parcel from any of its certificates, whatever the spacing and case', () => {
    let checked = 0;
    for (let i = 0; i < 3000; i += 3) {
      for (const certificate of dataset.certificatesAt(i)) {
        expect(dataset.indexOfCertificate(certificate.number)).toBe(i);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(800);
    const [sample] = sampleCertificates(1, dataset);
    expect(dataset.indexOfCertificate(sample.certificateNo.replace(' ', '').toLowerCase())).toBeDefined();
    expect(dataset.indexOfCertificate('ZZ 123456')).toBeUndefined();
    expect(dataset.indexOfCertificate('AA 12')).toBeUndefined();
  });

  it('holds valid identifiers: personal IDs, enterprise codes of existing enterprises, current communes', () => {
    const enterprises = new BusinessRegistryDataset({ seed: 42 });
    let people = 0;
    let companies = 0;
    for (let i = 0; i < 3000; i++) {
      const parcel = dataset.parcelAt(i);
      expect(findCommune(parcel.maXa)?.province.code).toBe(parcel.diaChi.maTinh);
      expect(parcel.dienTich).toBeCloseTo(
        parcel.mucDichSuDung.reduce((sum, u) => sum + u.dienTich, 0),
        0,
      );
      for (const holder of parcel.chuSuDung) {
        if (holder.soDinhDanh) {
          people++;
          expect(validatePersonalId(holder.soDinhDanh).valid).toBe(true);
        }
        if (holder.loai === 'CA_NHAN') expect(holder.soDinhDanh ?? holder.soCMND).toBeDefined();
        if (holder.maSoDoanhNghiep) {
          companies++;
          expect(validateEnterpriseCode(holder.maSoDoanhNghiep).valid).toBe(true);
          expect(enterprises.findEnterprise(holder.maSoDoanhNghiep)?.tenDoanhNghiep).toBe(holder.ten);
        }
      }
      for (const use of parcel.mucDichSuDung) {
        expect(use.thoiHan === 'CO_THOI_HAN').toBe(use.denNgay !== undefined);
      }
    }
    expect(people).toBeGreaterThan(2000);
    expect(companies).toBeGreaterThan(30);
  });

  it('answers lookups without building an index', () => {
    const fresh = new LandDataset({ seed: 9 });
    for (let i = 0; i < 2000; i++) {
      const key = fresh.keyAt(i * 149);
      expect(fresh.findParcel(key.communeCode, key.mapSheetNo, key.parcelNo)).toBeDefined();
    }
  });

  it('samples parcels and certificates that exist', () => {
    const parcels = sampleParcels(5, dataset);
    expect(parcels).toHaveLength(5);
    for (const p of parcels)
      expect(dataset.findParcel(p.communeCode, p.mapSheetNo, p.parcelNo)).toBeDefined();
    const certificates = sampleCertificates(5, dataset);
    expect(certificates).toHaveLength(5);
    for (const c of certificates) {
      const parcel = dataset.findByCertificate(c.certificateNo)!;
      expect(parcel.giayChungNhan[0].soPhatHanh).toBe(c.certificateNo);
      expect(parcel.maXa).toBe(c.communeCode);
    }
    expect(sampleParcels(5, { seed: 42 })).toEqual(parcels);
  });
});
