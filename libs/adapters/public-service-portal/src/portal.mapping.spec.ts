import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DossierStatusEvent } from '@lienthong/contracts';
import { DOSSIER_STATUS_TABLE, DossierStatus } from '@lienthong/domain';
import type { PortalDossierRecordWire } from './portal.wire';
import {
  PORTAL_LIST_FIELDS,
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

  describe('dossier item (DongBoHoSoMC): the full record', () => {
    const stored = fixture('tra-cuu-ho-so.found.json').result[0] as PortalDossierRecordWire;
    const catalogue = {
      procedureName: 'Đăng ký khai sinh',
      sectorName: 'Hộ tịch',
      agencyName: 'UBND xã Tân Phú',
    };

    it.each(DOSSIER_STATUS_TABLE.map((row) => [row.status, String(row.portalCode)]))(
      'sends %s as TrangThaiHoSo %s and the progress TrangThai alike',
      (status, code) => {
        const event = withStatus(status as DossierStatusEvent['status']);
        expect(toPortalDossierItem(event).TrangThaiHoSo).toBe(code);
        expect(toPortalProgressItem(event).TrangThai).toBe(code);
      },
    );

    it('matches the recorded-shape update: catalogue names, stored values carried forward, no identifier', () => {
      const item = toPortalDossierItem(inProcess, catalogue, stored);
      expect(item).toEqual(fixture('dong-bo-ho-so.request.json').data[0]);
    });

    it('matches the recorded-shape creation of an enterprise dossier with its portal account id', () => {
      const item = toPortalDossierItem(fixture('event-received-enterprise.json') as DossierStatusEvent, {
        procedureName: 'Đăng ký thành lập công ty',
        sectorName: 'Thành lập và hoạt động doanh nghiệp',
        agencyName: 'UBND xã Tân Phú',
        portalAccountId: 'c9d1e4f2-77aa-4b1e-9d3c-2f6a8b0e1d55',
      });
      expect(item).toEqual(fixture('dong-bo-ho-so.create.request.json').data[0]);
    });

    it("sends every field of the record on every sync, lists as arrays, in the integrations' order", () => {
      const keys = Object.keys(fixture('dong-bo-ho-so.request.json').data[0]);
      for (const status of DOSSIER_STATUS_TABLE.map((row) => row.status)) {
        const item = toPortalDossierItem(withStatus(status as DossierStatusEvent['status']));
        expect(Object.keys(item)).toEqual(keys);
        for (const list of PORTAL_LIST_FIELDS) expect(item[list]).toEqual([]);
      }
    });

    it.each([
      ['COUNTER', '1', '0'],
      ['ONLINE', '2', '0'],
      ['POSTAL', '3', '1'],
    ] as const)(
      'sends a %s dossier as KenhThucHien %s and its result delivery as HinhThuc %s',
      (channel, kenh, hinhThuc) => {
        const item = toPortalDossierItem(withStatus('RECEIVED', { channel }));
        expect([item.KenhThucHien, item.HinhThuc]).toEqual([kenh, hinhThuc]);
      },
    );

    it('takes how the result goes back from the relay when it knows it', () => {
      expect(toPortalDossierItem(withStatus('RECEIVED'), { resultByPost: true }).HinhThuc).toBe('1');
      expect(
        toPortalDossierItem(withStatus('RECEIVED', { channel: 'POSTAL' }), { resultByPost: false }).HinhThuc,
      ).toBe('0');
    });

    it('never sends an identity number as MaDoiTuong; the enterprise code goes as the owner document only', () => {
      const citizen = toPortalDossierItem(inProcess);
      expect(citizen).toMatchObject({ LoaiDoiTuong: '1', MaDoiTuong: '', SoGiayToChuHoSo: '' });
      const enterprise = withStatus('RECEIVED', {
        applicant: { kind: 'ENTERPRISE', enterpriseCode: '0100109106' },
      });
      expect(toPortalDossierItem(enterprise)).toMatchObject({
        LoaiDoiTuong: '2',
        MaDoiTuong: '',
        SoGiayToChuHoSo: '0100109106',
      });
      const organisation = withStatus('RECEIVED', { applicant: { kind: 'ORGANISATION' } });
      expect(toPortalDossierItem(organisation)).toMatchObject({ LoaiDoiTuong: '4', MaDoiTuong: '' });
      // an identifier a portal record holds in MaDoiTuong is not carried forward either
      const held = { ...stored, MaDoiTuong: '001090012345' };
      expect(toPortalDossierItem(inProcess, {}, held).MaDoiTuong).toBe('');
      expect(toPortalDossierItem(inProcess, {}, { ...stored, MaDoiTuong: 'acc-42' }).MaDoiTuong).toBe(
        'acc-42',
      );
      expect(JSON.stringify(toPortalDossierItem(inProcess, catalogue, held))).not.toContain('001090012345');
    });

    it("dates the intake from the event, the portal's record, or the receipt date in the dossier code", () => {
      expect(toPortalDossierItem(withStatus('RECEIVED')).NgayTiepNhan).toBe('20261101003000');
      expect(toPortalDossierItem(withStatus('SUBMITTED')).NgayTiepNhan).toBe('20261101003000');
      expect(toPortalDossierItem(withStatus('RECEIVED'), {}, stored).NgayTiepNhan).toBe('20261101003000');
      expect(toPortalDossierItem(withStatus('IN_PROCESS'), {}, stored).NgayTiepNhan).toBe('20261031080512');
      expect(
        toPortalDossierItem(withStatus('IN_PROCESS'), { receivedAt: '2026-10-31T08:00:00+07:00' }, stored)
          .NgayTiepNhan,
      ).toBe('20261031080000');
      // nothing known but the code 000.17.22.H56-261031-0007: its receipt date, never a blank
      expect(toPortalDossierItem(withStatus('IN_PROCESS')).NgayTiepNhan).toBe('20261031000000');
      expect(toPortalDossierItem(withStatus('IN_PROCESS')).NgayNopHoSo).toBe('20261031000000');
      expect(toPortalDossierItem(withStatus('SUBMITTED')).NgayNopHoSo).toBe('20261101003000');
      expect(toPortalDossierItem(withStatus('RESOLVED'), {}, stored).NgayNopHoSo).toBe('20261031074010');
    });

    it('dates the end of processing and the return of the result, keeping the end once returned', () => {
      for (const status of ['RESOLVED', 'REJECTED', 'WITHDRAWN', 'STOPPED'] as const) {
        const item = toPortalDossierItem(withStatus(status));
        expect(item.NgayKetThucXuLy).toBe('20261101003000');
        expect(item.NgayTra).toBe('');
      }
      const resolved = { ...stored, NgayKetThucXuLy: '20261105100000', TrangThaiHoSo: 9 };
      const returned = toPortalDossierItem(withStatus('RESULT_RETURNED'), {}, resolved);
      expect(returned.NgayTra).toBe('20261101003000');
      expect(returned.NgayKetThucXuLy).toBe('20261105100000');
      expect(toPortalDossierItem(withStatus('IN_PROCESS'), {}, resolved).NgayKetThucXuLy).toBe('');
    });

    it('names the agency from the catalogue, else the record, else by its code; summarises by the procedure', () => {
      expect(toPortalDossierItem(inProcess, { agencyName: 'UBND xã Tân Phú' }).DonViXuLy).toBe(
        'UBND xã Tân Phú',
      );
      expect(toPortalDossierItem(inProcess, {}, stored).DonViXuLy).toBe('UBND xã Tân Phú');
      expect(toPortalDossierItem(inProcess).DonViXuLy).toBe('000.17.22.H56');
      expect(toPortalDossierItem(inProcess, { procedureName: 'Đăng ký khai sinh' }).TrichYeuHoSo).toBe(
        'Đăng ký khai sinh',
      );
      expect(toPortalDossierItem(inProcess, { summary: 'Khai sinh' }, stored).TrichYeuHoSo).toBe('Khai sinh');
    });

    it('sends the document lists the relay gives, else the ones held', () => {
      const fees = [
        { TenPhiLePhi: 'Lệ phí', MaPhiLePhi: 'LP01', HinhThucThu: '1', Gia: '8000', LoaiPhiLePhi: '1' },
      ];
      expect(toPortalDossierItem(inProcess, { DanhSachLePhi: fees }).DanhSachLePhi).toEqual(fees);
      expect(toPortalDossierItem(inProcess, {}, { ...stored, DanhSachLePhi: fees }).DanhSachLePhi).toEqual(
        fees,
      );
    });
  });

  describe('progress item (CapNhatTienDoHoSoMC)', () => {
    it('matches the recorded-shape request, with no field the integrations do not send', () => {
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
        portalStatusCode: 2,
        status: DossierStatus.RECEIVED,
        procedureCode: '1.001234',
        receivedAt: '2026-10-31T08:05:12+07:00',
        dueAt: '2026-11-07T17:00:00+07:00',
      });
      expect(view.progress.map((p) => [p.status, p.at, p.note])).toEqual([
        [DossierStatus.RECEIVED, '2026-10-31T08:05:12+07:00', 'Được tiếp nhận'],
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
