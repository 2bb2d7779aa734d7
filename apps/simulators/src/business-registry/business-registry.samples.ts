import { Seed } from '../shared/prng';
import { BusinessRegistryDataset } from './business-registry.dataset';

/**
 * A few identifiers that exist in the simulated registry, for `cli sim sample` and for tests. Samples are
 * spread over the whole dataset and are the same for the same seed and size.
 */

export type BusinessRegistrySampleSource = BusinessRegistryDataset | { seed?: Seed; size?: number };

export interface EnterpriseSample {
  enterpriseCode: string;
  name: string;
  /** Wire status code, e.g. DANG_HOAT_DONG. */
  status: string;
  /** Number of dependent units. */
  units: number;
}

export interface BranchSample {
  /** 13-character code of the dependent unit. */
  code: string;
  parentCode: string;
  name: string;
  /** CHI_NHANH or VAN_PHONG_DAI_DIEN. */
  kind: string;
}

function datasetOf(source: BusinessRegistrySampleSource | undefined): BusinessRegistryDataset {
  return source instanceof BusinessRegistryDataset ? source : new BusinessRegistryDataset(source ?? {});
}

/** Record numbers spread evenly over the dataset, starting at `offset`. */
function* spread(size: number, offset = 0): Generator<number> {
  const step = Math.max(1, Math.floor(size / 97));
  for (let round = 0; round < step; round++) {
    for (let i = (offset + round) % size; i < size; i += step) yield i;
  }
}

/** `n` active enterprises whose codes pass the check-digit rule. */
export function sampleEnterprises(n: number, source?: BusinessRegistrySampleSource): EnterpriseSample[] {
  const dataset = datasetOf(source);
  const out: EnterpriseSample[] = [];
  for (const i of spread(dataset.size)) {
    if (out.length >= n) break;
    if (dataset.isLegacyCode(i)) continue;
    const record = dataset.enterpriseAt(i);
    if (record.tinhTrang.ma !== 'DANG_HOAT_DONG') continue;
    out.push({
      enterpriseCode: record.maSoDoanhNghiep,
      name: record.tenDoanhNghiep,
      status: record.tinhTrang.ma,
      units: record.donViPhuThuoc.length,
    });
  }
  return out;
}

/** `n` enterprises whose codes fail the check-digit rule (issued before it); they exist all the same. */
export function sampleLegacyEnterprises(
  n: number,
  source?: BusinessRegistrySampleSource,
): EnterpriseSample[] {
  const dataset = datasetOf(source);
  const out: EnterpriseSample[] = [];
  for (let i = 0; i < dataset.size && out.length < n; i++) {
    if (!dataset.isLegacyCode(i)) continue;
    const record = dataset.enterpriseAt(i);
    out.push({
      enterpriseCode: record.maSoDoanhNghiep,
      name: record.tenDoanhNghiep,
      status: record.tinhTrang.ma,
      units: record.donViPhuThuoc.length,
    });
  }
  return out;
}

/** `n` dependent units (branches and representative offices). */
export function sampleBranches(n: number, source?: BusinessRegistrySampleSource): BranchSample[] {
  const dataset = datasetOf(source);
  const out: BranchSample[] = [];
  for (const i of spread(dataset.size, 1)) {
    if (out.length >= n) break;
    if (dataset.unitCountAt(i) === 0) continue;
    const unit = dataset.unitAt(i, 1);
    out.push({
      code: unit.maSoDonVi,
      parentCode: unit.maSoDoanhNghiepMe,
      name: unit.tenDonVi,
      kind: unit.loaiDonVi.ma,
    });
  }
  return out;
}
