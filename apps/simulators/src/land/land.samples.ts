import { Seed } from '../shared/prng';
import { LandDataset } from './land.dataset';

/**
 * A few parcels and certificates that exist in the simulated land register, for `cli sim sample` and
 * tests. Samples are spread over the register and are the same for the same seed and size. They carry
 * no holder data.
 */

export type LandSampleSource = LandDataset | { seed?: Seed; size?: number };

export interface ParcelSample {
  communeCode: string;
  mapSheetNo: string;
  parcelNo: string;
  /** Commune and province, e.g. `Xã Tân Hưng, Tỉnh Cà Mau`. */
  place: string;
}

export interface CertificateSample {
  /** Issue number (số phát hành) of a certificate in force. */
  certificateNo: string;
  communeCode: string;
  mapSheetNo: string;
  parcelNo: string;
}

function datasetOf(source: LandSampleSource | undefined): LandDataset {
  return source instanceof LandDataset ? source : new LandDataset(source ?? {});
}

function* spread(size: number, offset: number): Generator<number> {
  const step = Math.max(1, Math.floor(size / 89));
  for (let round = 0; round < step; round++) {
    for (let i = (offset + round) % size; i < size; i += step) yield i;
  }
}

export function sampleParcels(n: number, source?: LandSampleSource): ParcelSample[] {
  const dataset = datasetOf(source);
  const out: ParcelSample[] = [];
  for (const i of spread(dataset.size, 0)) {
    if (out.length >= n) break;
    const record = dataset.parcelAt(i);
    out.push({
      communeCode: record.maXa,
      mapSheetNo: record.soToBanDo,
      parcelNo: record.soThuaDat,
      place: `${record.diaChi.tenXa}, ${record.diaChi.tenTinh}`,
    });
  }
  return out;
}

export function sampleCertificates(n: number, source?: LandSampleSource): CertificateSample[] {
  const dataset = datasetOf(source);
  const out: CertificateSample[] = [];
  for (const i of spread(dataset.size, 3)) {
    if (out.length >= n) break;
    const [latest] = dataset.certificatesAt(i);
    if (!latest) continue;
    const key = dataset.keyAt(i);
    out.push({ certificateNo: latest.number, ...key });
  }
  return out;
}
