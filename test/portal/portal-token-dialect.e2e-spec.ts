/**
 * The portal's token-based dialect end to end: dossier events posted to the gateway go over the real broker to
 * the real relay process (PORTAL_DIALECT=token-2025), which syncs them to the portal simulator over HTTP. What
 * the simulator stored is read back: every step in order, the full record, the code the portal issued (kept in
 * the relay's database, so a restarted relay updates instead of creating again), and no personal ID.
 */
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { PipelineStack, startPipelineStack } from '../support/pipeline-stack';
import { getJson, waitFor } from '../support/http';

const n = () => String(Math.floor(Math.random() * 90) + 10);
const AGENCY = `000.${n()}.${n()}.H${n()}`;
const DOSSIERS = 6;
const PERSONAL_ID = '079203001234';

function eventOf(d: number, status: string, minutes: number) {
  return {
    eventId: randomUUID(),
    dossierCode: `${AGENCY}-261122-${String(d + 1).padStart(4, '0')}`,
    agencyCode: AGENCY,
    procedureCode: '1.001193',
    status,
    occurredAt: new Date(Date.parse('2026-11-22T01:00:00Z') + d * 1000 + minutes * 60_000).toISOString(),
    dueAt: '2026-11-29T17:00:00+07:00',
    channel: d % 2 ? 'ONLINE' : 'COUNTER',
    applicant:
      d % 3 === 2
        ? { kind: 'ENTERPRISE', enterpriseCode: '0100109106' }
        : { kind: 'CITIZEN', personalId: PERSONAL_ID },
    handler: { name: 'Đỗ Minh Quang', position: 'Chuyên viên' },
  };
}

describe('portal sync in the token-based dialect (relay → simulator over HTTP)', () => {
  let stack: PipelineStack;

  beforeAll(async () => {
    stack = await startPipelineStack({ PORTAL_DIALECT: 'token-2025' });
  }, 300_000);

  afterAll(async () => {
    await stack?.stop();
  }, 60_000);

  async function post(events: unknown[]) {
    const response = await getJson(`${stack.gateway.url}/v1/dossier-events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${stack.apiKey}` },
      body: JSON.stringify({ events }),
    });
    expect(response.status).toBe(202);
  }

  const codes = Array.from({ length: DOSSIERS }, (_, d) => eventOf(d, 'RECEIVED', 0).dossierCode);
  const held = (code: string) => stack.portal.store.dossier(code)?.statusHistory.length ?? 0;
  const until = (steps: number, what: string) =>
    waitFor(() => codes.every((code) => held(code) >= steps), 120_000, what).catch((error: Error) => {
      throw new Error(`${error.message}\n${stack.relayLog()}`);
    });

  it('creates each dossier once, keeps the issued code in the relay database, and updates it after a restart', async () => {
    await post(codes.map((_, d) => eventOf(d, 'RECEIVED', 0)));
    await until(1, 'the portal to hold every dossier');
    await post(codes.map((_, d) => eventOf(d, 'IN_PROCESS', 30)));
    await until(2, 'the portal to hold every second step');

    const database = new Client({ connectionString: stack.env.DATABASE_URL });
    await database.connect();
    try {
      const { rows } = await database.query<{ dossier_code: string; portal_code: string }>(
        'SELECT dossier_code, portal_code FROM portal_dossier_codes WHERE dossier_code LIKE $1',
        [`${AGENCY}-%`],
      );
      expect(rows).toHaveLength(DOSSIERS);
      for (const row of rows) {
        expect(stack.portal.store.dossier(row.dossier_code)?.portalCode).toBe(row.portal_code);
      }
    } finally {
      await database.end();
    }

    // a new relay process knows the codes from the database: the portal sees updates, never a second creation
    await stack.stopRelay('SIGTERM');
    await stack.startRelay();
    await post(codes.map((_, d) => eventOf(d, 'RESOLVED', 90)));
    await until(3, 'the portal to hold every third step');

    const stats = stack.portal.store.stats();
    expect(stats.existenceRefusals).toBe(0);
    expect(stats.portalCodesIssued).toBe(DOSSIERS);
    expect(stats.rejected).toBe(0);
    for (const [d, code] of codes.entries()) {
      const stored = stack.portal.store.dossier(code)!;
      expect(stored.statusHistory.map((entry) => entry.status)).toEqual([2, 4, 9]);
      // the full record, dates in the store's form: the ISO dates the relay sent were accepted
      expect(stored).toMatchObject({
        MaTTHC: '1.001193',
        TrangThaiHoSo: 9,
        NgayHenTra: '20261129170000',
        KenhThucHien: d % 2 ? '2' : '1',
        LoaiDoiTuong: d % 3 === 2 ? '2' : '1',
        MaDoiTuong: '',
        upserts: 3,
      });
      expect(stored.NgayTiepNhan).toMatch(/^20261122080\d{3}$/);
      expect(stored.NgayKetThucXuLy).toMatch(/^20261122093\d{3}$/);
    }
    // the personal ID never reached the portal, in any field of any record or step
    expect(JSON.stringify(codes.map((code) => stack.portal.store.dossier(code)))).not.toContain(PERSONAL_ID);
  }, 300_000);
});
