import {
  DOSSIER_STATUSES,
  DossierStatus,
  dossierStatusLabel,
  fromPortalCode,
  isDossierStatus,
  isTerminalStatus,
  TERMINAL_DOSSIER_STATUSES,
  toPortalCode,
} from './dossier-status';

describe('dossier status ↔ portal code', () => {
  it.each([
    [1, DossierStatus.SUBMITTED, 'Mới đăng ký'],
    [2, DossierStatus.RECEIVED, 'Được tiếp nhận'],
    [3, DossierStatus.REJECTED, 'Không được tiếp nhận'],
    [4, DossierStatus.IN_PROCESS, 'Đang xử lý'],
    [5, DossierStatus.SUPPLEMENT_REQUESTED, 'Yêu cầu bổ sung giấy tờ'],
    [6, DossierStatus.PAYMENT_REQUESTED, 'Yêu cầu thực hiện nghĩa vụ tài chính'],
    [7, DossierStatus.WITHDRAWN, 'Công dân yêu cầu rút hồ sơ'],
    [8, DossierStatus.STOPPED, 'Dừng xử lý'],
    [9, DossierStatus.RESOLVED, 'Đã xử lý xong'],
    [10, DossierStatus.RESULT_RETURNED, 'Đã trả kết quả'],
  ])('code %i ↔ %s (%s), both ways', (code, status, label) => {
    expect(fromPortalCode(code)).toBe(status);
    expect(toPortalCode(status)).toBe(code);
    expect(fromPortalCode(toPortalCode(status))).toBe(status);
    expect(fromPortalCode(String(code))).toBe(status);
    expect(dossierStatusLabel(status)).toBe(label);
  });

  it('has ten statuses with distinct codes', () => {
    expect(DOSSIER_STATUSES).toHaveLength(10);
    expect(new Set(DOSSIER_STATUSES.map(toPortalCode)).size).toBe(10);
  });

  it.each([[0], [11], [-1], [4.5], [NaN], [''], ['abc'], ['4a'], ['100']])('maps %p to undefined', (code) => {
    expect(fromPortalCode(code as number | string)).toBeUndefined();
  });

  it.each([
    [' 4', DossierStatus.IN_PROCESS],
    ['04', DossierStatus.IN_PROCESS],
    ['10 ', DossierStatus.RESULT_RETURNED],
  ])('tolerates the string form %j', (code, status) => {
    expect(fromPortalCode(code)).toBe(status);
  });

  it('throws on an unknown status when mapping to the portal', () => {
    expect(() => toPortalCode('DONE' as DossierStatus)).toThrow(RangeError);
  });
});

describe('terminal statuses', () => {
  it('are exactly REJECTED, WITHDRAWN, STOPPED and RESULT_RETURNED', () => {
    expect([...TERMINAL_DOSSIER_STATUSES].sort()).toEqual([
      'REJECTED',
      'RESULT_RETURNED',
      'STOPPED',
      'WITHDRAWN',
    ]);
  });

  it.each([
    [DossierStatus.SUBMITTED, false],
    [DossierStatus.RECEIVED, false],
    [DossierStatus.REJECTED, true],
    [DossierStatus.IN_PROCESS, false],
    [DossierStatus.SUPPLEMENT_REQUESTED, false],
    [DossierStatus.PAYMENT_REQUESTED, false],
    [DossierStatus.WITHDRAWN, true],
    [DossierStatus.STOPPED, true],
    [DossierStatus.RESOLVED, false],
    [DossierStatus.RESULT_RETURNED, true],
  ])('%s terminal: %s', (status, terminal) => {
    expect(isTerminalStatus(status)).toBe(terminal);
  });
});

describe('isDossierStatus', () => {
  it.each([
    ['IN_PROCESS', true],
    ['in_process', false],
    ['4', false],
    [4, false],
    [null, false],
  ])('%p → %s', (value, expected) => {
    expect(isDossierStatus(value)).toBe(expected);
  });
});
