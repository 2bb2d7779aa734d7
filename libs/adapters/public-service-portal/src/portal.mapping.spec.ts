import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DossierStatusEvent } from '@lienthong/contracts';
import { DOSSIER_STATUS_TABLE, DossierStatus } from '@lienthong/domain';
import {
  fromPortalDateTime,
  fromPortalDossierRecord,
  parsePortalErrorCode,
  toPortalDateTime,
  toPortalDossierItem,
  toPortalProgressItem,
} from './portal.mapping';

const fixture = (name: string) =>
  JSON.parse(readFileSync(join(__dirname, '..', 'test-fixtures', name), 'utf8')) as Record<string, any>;

const inProcess = fixture('event-in-process.json') as DossierStatusEvent;
const withStatus = (status: DossierStatusEvent['status'], changes: Partial<DossierStatusEvent> = {}) => {
  const event: DossierStatusEvent = { ...inProcess, status, ...changes };
  delete event.portalStatusCode;
  return event;
};

describe('portal mapping', () => {
  describe('dates in Asia/Ho_Chi_Minh', () => {
    it.each([
      ['2026-10-31T17:30:00Z', '20261101003000'],
      ['2026-10-31T10:02:45+07:00', '20261031100245'],
      ['2025-12-31T17:00:00Z', '20260101000000'],
      ['2026-02-28T16:59:59.999Z', '20260228235959'],
      ['2024-02-28T20:00:00-05:00', '20240229080000'],
    ])('formats %s as %s', (iso, expected) => {
      expect(toPortalDateTime(iso)).toBe(expected);
    });

    it('formats Date objects and epoch milliseconds the same way', () => {
      expect(toPortalDateTime(new Date('2026-10-31T17:30:00Z'))).toBe('20261101003000');
      expect(toPortalDateTime(Date.parse('2026-10-31T17:30:00Z'))).toBe('20261101003000');
    });

    it('refuses what is not a date-time', () => {
      expect(() => toPortalDateTime('31/10/2026')).toThrow(RangeError);
    });

    it('reads portal date-times back as RFC 3339 with the +07:00 offset', () => {
      expect(fromPortalDateTime('20261101003000')).toBe('2026-11-01T00:30:00+07:00');
      expect(Date.parse(fromPortalDateTime('20261101003000')!)).toBe(Date.parse('2026-10-31T17:30:00Z'));
    });

    it.each([
      '20260230120000',
      '20261301000000',
      '20261031240000',
      '2026103112000',
      '',
      'abc',
      20261031120000,
    ])('does not read %p as a portal date-time', (value) => {
      expect(fromPortalDateTime(value)).toBeUndefined();
    });
  });

  describe('dossier item (DongBoHoSoMC)', () => {
    it.each(DOSSIER_STATUS_TABLE.map((row) => [row.status, String(row.portalCode)]))(
      'sends %s as TrangThaiHoSo %s and the progress TrangThai alike',
      (status, code) => {
        const event = withStatus(status as DossierStatusEvent['status']);
        expect(toPortalDossierItem(event).TrangThaiHoSo).toBe(code);
        expect(toPortalProgressItem(event).TrangThai).toBe(code);
      },
    );

    it('matches the recorded request sample for the in-process event', () => {
      const item = toPortalDossierItem(inProcess, {
        procedureName: 'Đăng ký khai sinh',
        sectorName: 'Hộ tịch',
        applicantName: 'Nguyễn Văn An',
        agencyName: 'UBND xã Tân Phú',
      });
      expect(item).toEqual(fixture('dong-bo-ho-so.request.json').data[0]);
    });

    it('sets NgayTiepNhan from the intake events and leaves it blank (keep) afterwards', () => {
      expect(toPortalDossierItem(withStatus('SUBMITTED')).NgayTiepNhan).toBe('20261101003000');
      expect(toPortalDossierItem(withStatus('RECEIVED')).NgayTiepNhan).toBe('20261101003000');
      expect(toPortalDossierItem(withStatus('IN_PROCESS')).NgayTiepNhan).toBe('');
      expect(
        toPortalDossierItem(withStatus('IN_PROCESS'), { receivedAt: '2026-10-31T08:05:12+07:00' })
          .NgayTiepNhan,
      ).toBe('20261031080512');
    });

    it('dates the end of processing and the return of the result', () => {
      for (const status of ['RESOLVED', 'REJECTED', 'WITHDRAWN', 'STOPPED'] as const) {
        const item = toPortalDossierItem(withStatus(status));
        expect(item.NgayKetThucXuLy).toBe('20261101003000');
        expect(item.NgayTra).toBe('');
      }
      const returned = toPortalDossierItem(withStatus('RESULT_RETURNED'));
      expect(returned.NgayTra).toBe('20261101003000');
      expect(returned.NgayKetThucXuLy).toBe('');
      expect(toPortalDossierItem(withStatus('IN_PROCESS')).NgayKetThucXuLy).toBe('');
    });

    it.each([
      ['COUNTER', '0'],
      ['ONLINE', '1'],
      ['POSTAL', '2'],
    ] as const)('sends channel %s as HinhThuc %s', (channel, code) => {
      expect(toPortalDossierItem(withStatus('RECEIVED', { channel })).HinhThuc).toBe(code);
    });

    it('identifies the applicant by kind and identifier', () => {
      expect(toPortalDossierItem(inProcess)).toMatchObject({ LoaiDoiTuong: '1', MaDoiTuong: '001090012345' });
      const enterprise = withStatus('RECEIVED', {
        applicant: { kind: 'ENTERPRISE', enterpriseCode: '0100109106' },
      });
      expect(toPortalDossierItem(enterprise)).toMatchObject({ LoaiDoiTuong: '2', MaDoiTuong: '0100109106' });
      const organisation = withStatus('RECEIVED', { applicant: { kind: 'ORGANISATION' } });
      expect(toPortalDossierItem(organisation)).toMatchObject({ LoaiDoiTuong: '3', MaDoiTuong: '' });
    });

    it('falls back to the agency code and sends no document lists unless given', () => {
      const item = toPortalDossierItem(withStatus('RECEIVED', { sectorCode: undefined }), {
        sectorCode: 'G09',
      });
      expect(item.DonViXuLy).toBe('000.17.22.H56');
      expect(item.MaLinhVuc).toBe('G09');
      expect(item).not.toHaveProperty('TaiLieuNop');
      const lists = toPortalDossierItem(inProcess, { DanhSachLePhi: [{ MaPhiLePhi: 'LP01', Gia: '8000' }] });
      expect(lists.DanhSachLePhi).toEqual([{ MaPhiLePhi: 'LP01', Gia: '8000' }]);
    });
  });

  describe('progress item (CapNhatTienDoHoSoMC)', () => {
    it('matches the recorded request sample and carries the eventId in MaSuKien', () => {
      expect(toPortalProgressItem(inProcess)).toEqual(fixture('cap-nhat-tien-do.request.json').data[0]);
    });

    it('uses the note when there is one and blanks what the event does not know', () => {
      const item = toPortalProgressItem(
        withStatus('SUPPLEMENT_REQUESTED', {
          note: 'Bổ sung bản sao giấy chứng sinh',
          handler: undefined,
          dueAt: undefined,
        }),
      );
      expect(item).toMatchObject({
        NoiDungXuLy: 'Bổ sung bản sao giấy chứng sinh',
        NguoiXuLy: '',
        ChucDanh: '',
        PhongBanXuLy: '',
        NgayKetThucTheoQuyDinh: '',
        TrangThai: '5',
      });
    });
  });

  describe('read-back (TraCuuHoSo)', () => {
    it('turns the recorded record into canonical statuses and RFC 3339 times', () => {
      const view = fromPortalDossierRecord(fixture('tra-cuu-ho-so.found.json').result[0]);
      expect(view).toMatchObject({
        dossierCode: '000.17.22.H56-261031-0007',
        portalStatusCode: 4,
        status: DossierStatus.IN_PROCESS,
        procedureCode: '1.001234',
        receivedAt: '2026-10-31T08:05:12+07:00',
        dueAt: '2026-11-07T17:00:00+07:00',
      });
      expect(view.progress.map((p) => [p.status, p.at, p.eventId])).toEqual([
        [DossierStatus.RECEIVED, '2026-10-31T08:05:12+07:00', '0b7e8f6a-1d2c-4b3a-9e8f-7a6b5c4d3e2f'],
        [DossierStatus.IN_PROCESS, '2026-11-01T00:30:00+07:00', '3f1c2b7e-8a4d-4e5f-9b60-7c8d9e0a1b2c'],
      ]);
    });

    it('accepts status codes sent as strings and ignores codes outside 1–10', () => {
      expect(fromPortalDossierRecord({ MaHoSo: 'X', TrangThaiHoSo: '10' }).status).toBe(
        DossierStatus.RESULT_RETURNED,
      );
      expect(fromPortalDossierRecord({ MaHoSo: 'X', TrangThaiHoSo: 11 }).status).toBeUndefined();
    });
  });

  it.each([
    [0, 0],
    ['0', 0],
    ['00', 0],
    ['-2', -2],
    [-3, -3],
    [' 5 ', 5],
    ['ok', undefined],
    [null, undefined],
    [1.5, undefined],
  ])('reads error_code %p as %p', (value, expected) => {
    expect(parsePortalErrorCode(value)).toBe(expected);
  });
});
