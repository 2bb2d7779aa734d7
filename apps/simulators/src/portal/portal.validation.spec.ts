import { parseFaultSettings, PortalFaults, PortalFaultSettingsError } from './portal.faults';
import { PortalStore } from './portal.store';
import {
  dossierItemProblems,
  isPortalDateTime,
  progressItemProblems,
  statusCodeOf,
} from './portal.validation';

describe('portal simulator rules', () => {
  it.each([
    ['20261031235959', true],
    ['20240229000000', true],
    ['20250229000000', false],
    ['20261131000000', false],
    ['20261031240000', false],
    ['20261031236000', false],
    ['2026103123595', false],
    ['2026-10-31T23:59:59', false],
  ])('reads %s as a portal date-time: %s', (value, expected) => {
    expect(isPortalDateTime(value)).toBe(expected);
  });

  it.each([
    [1, 1],
    ['10', 10],
    [0, undefined],
    [11, undefined],
    ['4a', undefined],
    [4.5, undefined],
  ])('reads status code %p as %p', (value, expected) => {
    expect(statusCodeOf(value)).toBe(expected);
  });

  it('checks a dossier item: the whole record every time, codes of the dialect, lists as arrays', () => {
    const update = { MaHoSo: '000.17.22.H56-261031-0001', TrangThaiHoSo: '9', NgayKetThucXuLy: '' };
    expect(dossierItemProblems(update)).toEqual(['MaTTHC: bắt buộc', 'NgayTiepNhan: bắt buộc']);
    expect(dossierItemProblems({ ...update, MaTTHC: '1.001234', NgayTiepNhan: '20261031080000' })).toEqual(
      [],
    );
    expect(
      dossierItemProblems({
        MaHoSo: 'HS-1',
        MaTTHC: '1',
        NgayTiepNhan: '20261031080000',
        TrangThaiHoSo: 2,
        HinhThuc: '2',
        KenhThucHien: '4',
        LoaiDoiTuong: '0',
        TaiLieuNop: {},
      }),
    ).toEqual([
      'MaHoSo: không đúng cấu trúc <mã đơn vị>-YYMMDD-XXXX',
      'HinhThuc: phải là một trong 0, 1',
      'KenhThucHien: phải là một trong 1, 2, 3',
      'LoaiDoiTuong: phải là một trong 1, 2, 3, 4',
      'TaiLieuNop: phải là mảng',
    ]);
  });

  it('checks a progress item', () => {
    expect(
      progressItemProblems({ MaHoSo: '000.17.22.H56-261031-0001', ThoiDiemXuLy: '', TrangThai: 0 }),
    ).toEqual(['ThoiDiemXuLy: bắt buộc', 'TrangThai: phải từ 1 đến 10']);
  });

  it('replaces the record with each item: blanks overwrite, lists left out are empty', () => {
    const store = new PortalStore();
    const code = '000.17.22.H56-261031-0001';
    store.upsertDossier(
      {
        MaHoSo: code,
        MaTTHC: '1.1',
        ChuHoSo: 'An',
        NgayTiepNhan: '20261031080000',
        TrangThaiHoSo: '2',
        TaiLieuNop: [1],
      },
      'U',
    );
    store.upsertDossier(
      { MaHoSo: code, MaTTHC: '1.1', ChuHoSo: '', NgayTiepNhan: '20261031080000', TrangThaiHoSo: 4 },
      'U',
    );
    expect(store.dossier(code)).toMatchObject({
      MaTTHC: '1.1',
      ChuHoSo: '',
      NgayTiepNhan: '20261031080000',
      TrangThaiHoSo: 4,
      TaiLieuNop: [],
      upserts: 2,
    });
    expect(store.stats()).toMatchObject({ created: 1, updated: 1, dossiers: 1 });
  });

  it('deduplicates progress by time, status and content: the integrations send no id of their own', () => {
    const store = new PortalStore();
    const code = '000.17.22.H56-261031-0001';
    store.upsertDossier({ MaHoSo: code, TrangThaiHoSo: 2 }, 'U');
    const step = { MaHoSo: code, ThoiDiemXuLy: '20261031090000', TrangThai: '4' };
    expect(store.applyProgress(step).duplicate).toBe(false);
    expect(store.applyProgress({ ...step }).duplicate).toBe(true);
    expect(store.applyProgress({ ...step, NoiDungXuLy: 'Chuyển phòng chuyên môn' }).duplicate).toBe(false);
    expect(store.applyProgress({ ...step, TrangThai: '5' }).duplicate).toBe(false);
    expect(store.dossier(code)!.statusHistory).toEqual([
      { status: 4, at: '20261031090000' },
      { status: 4, at: '20261031090000' },
      { status: 5, at: '20261031090000' },
    ]);
    expect(store.stats()).toMatchObject({ applied: 3, duplicates: 1 });
  });

  it('counts faults down and refuses nonsense settings', () => {
    let expired = 0;
    const faults = new PortalFaults(() => (expired += 1));
    faults.set({ rateLimit: { count: 2 }, serverErrors: { count: 1, status: 503 }, expireSessions: true });
    expect(expired).toBe(1);
    expect([faults.takeRateLimit(), faults.takeRateLimit(), faults.takeRateLimit()]).toEqual([
      1,
      1,
      undefined,
    ]);
    expect([faults.takeServerError(), faults.takeServerError()]).toEqual([503, undefined]);
    faults.set({ latencyMs: 25, rejectDossiers: ['A'] });
    expect(faults.delayMs()).toBe(25);
    expect(faults.isRejected('A')).toBe(true);
    faults.clear();
    expect(faults.state()).toEqual({
      rateLimit: null,
      serverErrors: null,
      malformedResponses: null,
      latencyMs: null,
      down: false,
      rejectDossiers: [],
      failProcedures: [],
    });
    for (const bad of [
      [],
      { slow: true },
      { serverErrors: { count: 1, status: 504 } },
      { latencyMs: { min: 5, max: 1 } },
    ]) {
      expect(() => parseFaultSettings(bad)).toThrow(PortalFaultSettingsError);
    }
  });
});
