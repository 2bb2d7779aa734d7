import {
  validateCommuneCode,
  validateEnterpriseCode,
  validatePersonalId,
  findProvince,
} from '@lienthong/domain';
import { findCommune } from '../shared/admin-units';
import { BusinessRegistryDataset } from './business-registry.dataset';
import { sampleBranches, sampleEnterprises, sampleLegacyEnterprises } from './business-registry.samples';

describe('BusinessRegistryDataset', () => {
  const dataset = new BusinessRegistryDataset({ seed: 42, size: 200_000 });

  it('derives the same record from the same seed and index, and another from another seed', () => {
    const again = new BusinessRegistryDataset({ seed: 42, size: 200_000 });
    const other = new BusinessRegistryDataset({ seed: 43, size: 200_000 });
    expect(again.enterpriseAt(1234)).toEqual(dataset.enterpriseAt(1234));
    expect(other.enterpriseCodeAt(1234)).not.toEqual(dataset.enterpriseCodeAt(1234));
  });

  it('gives every enterprise a unique 10-digit code that passes the check digit, except legacy codes', () => {
    const seen = new Set<string>();
    let legacy = 0;
    for (let i = 0; i < 20_000; i++) {
      const code = dataset.enterpriseCodeAt(i);
      expect(seen.has(code)).toBe(false);
      seen.add(code);
      const result = validateEnterpriseCode(code);
      expect(result.valid).toBe(true);
      expect(result.kind).toBe('ENTERPRISE');
      if (dataset.isLegacyCode(i)) {
        legacy++;
        expect(result.warnings.map((w) => w.code)).toEqual(['ENTERPRISE_CODE_CHECK_DIGIT']);
      } else {
        expect(result.warnings).toEqual([]);
      }
    }
    expect(legacy).toBeGreaterThan(20);
    expect(legacy).toBeLessThan(200);
  });

  it('finds the record number back from a code, and nothing for codes it never issued', () => {
    for (const i of [0, 1, 17, 99_999, 199_999]) {
      expect(dataset.indexOfEnterpriseCode(dataset.enterpriseCodeAt(i))).toBe(i);
    }
    const small = new BusinessRegistryDataset({ seed: 42, size: 1000 });
    expect(small.indexOfEnterpriseCode(dataset.enterpriseCodeAt(150_000))).toBeUndefined();
    expect(dataset.indexOfEnterpriseCode('0100233488')).toBeUndefined();
    expect(dataset.indexOfEnterpriseCode('9900000000')).toBeUndefined();
    expect(dataset.indexOfEnterpriseCode('12345')).toBeUndefined();
  });

  it('gives about one enterprise in five one to three dependent units with 13-character codes', () => {
    let withUnits = 0;
    for (let i = 0; i < 5000; i++) {
      const count = dataset.unitCountAt(i);
      expect(count).toBeGreaterThanOrEqual(0);
      expect(count).toBeLessThanOrEqual(3);
      if (count > 0) withUnits++;
    }
    expect(withUnits / 5000).toBeGreaterThan(0.17);
    expect(withUnits / 5000).toBeLessThan(0.23);

    const [branch] = sampleBranches(1, dataset);
    const unit = dataset.findUnit(branch.code)!;
    expect(unit.maSoDonVi).toMatch(/^[0-9]{10}-00[1-3]$/);
    expect(unit.maSoDoanhNghiepMe).toBe(branch.parentCode);
    expect(validateEnterpriseCode(unit.maSoDonVi)).toMatchObject({ valid: true, kind: 'DEPENDENT_UNIT' });
    const parent = dataset.findEnterprise(unit.maSoDoanhNghiepMe)!;
    expect(parent.donViPhuThuoc.map((u) => u.maSoDonVi)).toContain(unit.maSoDonVi);
    expect(unit.tenDoanhNghiepMe).toBe(parent.tenDoanhNghiep);
    expect(unit.tenDonVi).toContain(parent.tenDoanhNghiep);
    expect(dataset.findUnit(`${unit.maSoDoanhNghiepMe}-009`)).toBeUndefined();
  });

  it('writes Vietnamese names and addresses on current communes, with valid personal IDs', () => {
    for (let i = 0; i < 500; i++) {
      const record = dataset.enterpriseAt(i);
      expect(record.tenDoanhNghiep).toMatch(/^(Công ty (TNHH|Cổ phần|Hợp danh)|Doanh nghiệp tư nhân) /);
      const address = record.diaChiTruSo;
      expect(validateCommuneCode(address.maXa).valid).toBe(true);
      expect(findCommune(address.maXa)?.province.code).toBe(address.maTinh);
      expect(findProvince(address.maTinh)).toBeDefined();
      expect(record.ngayThanhLap).toMatch(/^[0-3][0-9]\/[01][0-9]\/(19|20)[0-9]{2}$/);
      for (const person of record.nguoiDaiDienTheoPhapLuat) {
        expect(validatePersonalId(person.soDinhDanh).valid).toBe(true);
      }
    }
    const names = Array.from({ length: 200 }, (_, i) => dataset.enterpriseAt(i).tenDoanhNghiep).join(' ');
    expect(names).toMatch(/[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]/);
  });

  it('looks records up without building an index', () => {
    const fresh = new BusinessRegistryDataset({ seed: 7, size: 200_000 });
    const codes = Array.from({ length: 2000 }, (_, k) => fresh.enterpriseCodeAt(k * 97));
    for (const code of codes) expect(fresh.findEnterprise(code)).toBeDefined();
  });

  it('samples existing identifiers for newcomers', () => {
    const enterprises = sampleEnterprises(5, dataset);
    expect(enterprises).toHaveLength(5);
    for (const sample of enterprises) {
      expect(dataset.findEnterprise(sample.enterpriseCode)?.tenDoanhNghiep).toBe(sample.name);
    }
    expect(sampleEnterprises(5, { seed: 42, size: 200_000 })).toEqual(enterprises);
    const branches = sampleBranches(5, dataset);
    expect(branches).toHaveLength(5);
    for (const sample of branches) expect(dataset.findUnit(sample.code)).toBeDefined();
    const legacy = sampleLegacyEnterprises(2, dataset);
    expect(legacy).toHaveLength(2);
    for (const sample of legacy) {
      expect(validateEnterpriseCode(sample.enterpriseCode).warnings).toHaveLength(1);
      expect(dataset.findEnterprise(sample.enterpriseCode)).toBeDefined();
    }
  });
});
