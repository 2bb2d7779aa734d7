import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { validate, type IndicatorReport } from '@lienthong/contracts';
import { wireSample } from '../test-fixtures/wire-sample';
import {
  CHI_SO_OF,
  fromWirePeriod,
  fromWireReport,
  toWireDateTime,
  toWirePeriod,
  toWireReport,
} from './operations-center.mapping';

const canonical = JSON.parse(wireSample('report.canonical.json')) as IndicatorReport;

describe('operations-center mapping', () => {
  it('maps the canonical report to exactly the recorded request body', () => {
    expect(toWireReport(canonical)).toEqual(JSON.parse(wireSample('report.request.json')));
  });

  it('maps the wire body back to the canonical report, which still matches its contract', () => {
    const back = fromWireReport(JSON.parse(wireSample('report.request.json')));
    expect(back).toEqual({ ...canonical, generatedAt: '2026-11-01T00:05:00+07:00' });
    expect(validate('indicator-report', back)).toMatchObject({ ok: true });
  });

  it('names every canonical count once on the wire', () => {
    const schema = JSON.parse(
      readFileSync(
        join(__dirname, '..', '..', '..', '..', 'contracts', 'schemas', 'indicator-report.v1.json'),
        'utf8',
      ),
    ) as { $defs: { counts: { required: string[] } } };
    expect(Object.keys(CHI_SO_OF).sort()).toEqual([...schema.$defs.counts.required].sort());
    expect(new Set(Object.values(CHI_SO_OF)).size).toBe(Object.keys(CHI_SO_OF).length);
  });

  it.each([
    [
      { kind: 'DAY', key: '2026-10-31' },
      { LoaiKy: 'NGAY', KyBaoCao: '31/10/2026' },
    ],
    [
      { kind: 'MONTH', key: '2026-01' },
      { LoaiKy: 'THANG', KyBaoCao: '01/2026' },
    ],
    [
      { kind: 'QUARTER', key: '2026-Q4' },
      { LoaiKy: 'QUY', KyBaoCao: 'Q4/2026' },
    ],
  ] as const)('maps period %j to %j and back', (period, wire) => {
    expect(toWirePeriod(period)).toEqual(wire);
    expect(fromWirePeriod(wire.LoaiKy, wire.KyBaoCao)).toEqual(period);
  });

  it('refuses a period key that does not match its kind', () => {
    expect(() => toWirePeriod({ kind: 'MONTH', key: '2026-Q4' })).toThrow(/does not match its kind/);
    expect(() => fromWirePeriod('QUY', '10/2026')).toThrow(/do not name a period/);
  });

  it('writes date-times at UTC+07:00, crossing midnight and the year', () => {
    expect(toWireDateTime('2026-12-31T17:30:05Z')).toBe('01/01/2027 00:30:05');
    expect(toWireDateTime('2026-11-01T00:05:00+07:00')).toBe('01/11/2026 00:05:00');
  });
});
