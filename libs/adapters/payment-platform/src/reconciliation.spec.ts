import { paygovChecksum, paygovChecksumValid, paygovTime } from './paygov-signature';
import { reconcilePayments } from './reconciliation';

describe('reconcilePayments', () => {
  const tx = (transactionNo: string, status: 'SUCCESS' | 'FAILED' | 'PENDING', amount = 50_000) => ({
    transactionNo,
    orderId: `LT-${transactionNo}`,
    amount,
    status,
  });

  it('matches the same outcome and amount on both sides', () => {
    expect(
      reconcilePayments(
        [tx('A', 'SUCCESS'), tx('B', 'FAILED')],
        [
          { transactionNo: 'A', amount: 50_000, status: 'CONFIRMED' },
          { transactionNo: 'B', amount: 50_000, status: 'FAILED' },
        ],
      ),
    ).toEqual({ matched: 2, mismatches: [] });
  });

  it('reports each kind of difference once', () => {
    const result = reconcilePayments(
      [tx('UNKNOWN', 'SUCCESS'), tx('STATUS', 'SUCCESS'), tx('AMOUNT', 'SUCCESS', 70_000)],
      [
        { transactionNo: 'STATUS', amount: 50_000, status: 'PENDING' },
        { transactionNo: 'AMOUNT', amount: 50_000, status: 'CONFIRMED' },
        { transactionNo: 'MISSING', amount: 20_000, status: 'CONFIRMED' },
        // still pending on both sides as far as the day goes: no difference
        { transactionNo: 'OPEN', amount: 20_000, status: 'PENDING' },
      ],
    );
    expect(result.matched).toBe(0);
    expect(result.mismatches.map((m) => [m.kind, m.transactionNo])).toEqual([
      ['UNKNOWN_TO_GATEWAY', 'UNKNOWN'],
      ['STATUS', 'STATUS'],
      ['AMOUNT', 'AMOUNT'],
      ['MISSING_AT_PLATFORM', 'MISSING'],
    ]);
  });
});

describe('paygov checksum', () => {
  it('verifies its own checksum and nothing else', () => {
    const values = ['LIENTHONG', 'PG1', 'LT1', 50_000, 'SUCCESS'];
    const checksum = paygovChecksum('secret', values);
    expect(checksum).toMatch(/^[0-9a-f]{64}$/);
    expect(paygovChecksumValid('secret', values, checksum)).toBe(true);
    expect(paygovChecksumValid('secret', [...values.slice(0, 3), 1, 'SUCCESS'], checksum)).toBe(false);
    expect(paygovChecksumValid('other', values, checksum)).toBe(false);
    expect(paygovChecksumValid('secret', values, checksum.toUpperCase())).toBe(false);
    expect(paygovChecksumValid('secret', values, undefined)).toBe(false);
  });

  it('writes times in Vietnam time', () => {
    expect(paygovTime(new Date('2026-12-06T17:30:05Z'))).toBe('20261207003005');
  });
});
