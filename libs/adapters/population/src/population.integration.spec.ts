import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validate } from '@lienthong/contracts';
import { createLogger } from '@lienthong/observability';
import { agencyCertificateName, createDevPki, DevPkiMaterial } from '@lienthong/pki';
import { PopulationSimulator, startPopulationSimulator } from '@lienthong/simulators';
import {
  PopulationError,
  PopulationClient,
  PopulationClientOptions,
  populationClientOptionsFromDevPki,
  populationErrors,
} from './index';

/** The adapter against the population simulator over real HTTPS with mutual TLS and signed messages. */

const AGENCY = '000.00.14.H56';

async function failure(promise: Promise<unknown>): Promise<PopulationError> {
  try {
    await promise;
  } catch (error) {
    if (populationErrors.owns(error)) return error;
    throw error;
  }
  throw new Error('expected the call to fail');
}

describe('PopulationClient against the population simulator (HTTPS, mTLS, XML-DSig)', () => {
  let dir: string;
  let pki: DevPkiMaterial;
  let simulator: PopulationSimulator;
  let client: PopulationClient;
  const clients: PopulationClient[] = [];

  function newClient(overrides: Partial<PopulationClientOptions> = {}): PopulationClient {
    const { resilience, ...rest } = overrides;
    const created = new PopulationClient(
      populationClientOptionsFromDevPki(dir, simulator.serviceUrl, {
        resilience: {
          timeoutMs: 3_000,
          retries: 1,
          retryInitialDelayMs: 5,
          retryMaxDelayMs: 20,
          breaker: { kind: 'consecutive', failures: 3 },
          halfOpenAfterMs: 300,
          ...resilience,
        },
        ...rest,
      }),
    );
    clients.push(created);
    return created;
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lgsp-population-it-'));
    pki = createDevPki(dir, { agencies: [AGENCY] });
    simulator = await startPopulationSimulator({
      pkiDir: dir,
      seed: 'integration',
      size: 100_000,
      logger: createLogger({ name: 'population-simulator', level: 'silent' }),
    });
    client = newClient();
  });

  afterEach(() => simulator.faults.clear());

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await simulator.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('looks a citizen up and returns a valid canonical record', async () => {
    const record = simulator.dataset.citizenAt(4_242);
    const citizen = await client.lookupCitizen(record.personalId, { requestId: 'it-lookup-1' });
    expect(validate('citizen', citizen).ok).toBe(true);
    expect(citizen).toMatchObject({
      personalId: record.personalId,
      fullName: record.fullName,
      dateOfBirth: record.dateOfBirth,
      sex: record.sex,
      nationality: 'VN',
      permanentResidence: { communeCode: record.permanentResidence.communeCode },
      provenance: { source: 'CSDLQG_DAN_CU' },
    });
  });

  it('serves many concurrent lookups over the pooled keep-alive connections', async () => {
    // its own client with room for a busy machine: 200 signed exchanges at once can queue past the
    // 3 s timeout on two shared cores, and a circuit opened here must not leak into the next cases
    const pooled = newClient({ resilience: { timeoutMs: 60_000 } });
    const records = Array.from({ length: 200 }, (_, i) => simulator.dataset.citizenAt(i * 97));
    const citizens = await Promise.all(
      records.map((r, i) => pooled.lookupCitizen(r.personalId, { requestId: `it-many-${i}` })),
    );
    expect(citizens.map((c) => c.personalId)).toEqual(records.map((r) => r.personalId));
  });

  it('verifies claimed fields', async () => {
    const record = simulator.dataset.citizenAt(17);
    const result = await client.verifyCitizen(
      record.personalId,
      { fullName: record.fullName, dateOfBirth: record.dateOfBirth },
      { requestId: 'it-verify-1' },
    );
    expect(result).toMatchObject({ fields: { fullName: 'MATCH', dateOfBirth: 'MATCH' }, allMatch: true });
    const wrong = await client.verifyCitizen(
      record.personalId,
      { fullName: 'Người Khác Hẳn' },
      { requestId: 'it-verify-2' },
    );
    expect(wrong).toMatchObject({ fields: { fullName: 'NO_MATCH' }, allMatch: false });
  });

  it('reports a citizen the register does not hold', async () => {
    expect(await failure(client.lookupCitizen('001090000000', { requestId: 'it-absent' }))).toMatchObject({
      code: 'CITIZEN_NOT_FOUND',
      kind: 'NOT_FOUND',
    });
  });

  it('is refused by the simulator when it signs with a key the simulator does not trust', async () => {
    const agency = pki.get(agencyCertificateName(AGENCY));
    const impostor = newClient({
      requestSigning: { privateKey: agency.keyPem, certificatePem: agency.certPem },
    });
    const error = await failure(
      impostor.lookupCitizen(simulator.dataset.citizenAt(1).personalId, { requestId: 'it-impostor' }),
    );
    expect(error).toMatchObject({ code: 'POPULATION_REQUEST_REJECTED' });
    expect(error.transient).toBe(false);
  });

  it('refuses answers altered after signing when the simulator tampers with them', async () => {
    simulator.faults.set({ badSignatureRate: 1 });
    const error = await failure(
      client.lookupCitizen(simulator.dataset.citizenAt(2).personalId, { requestId: 'it-tampered' }),
    );
    expect(error).toMatchObject({ code: 'POPULATION_BAD_SIGNATURE' });
    expect(error).toMatchObject({ details: { reason: 'DIGEST_MISMATCH' } });
  });

  it('times out on an answer dripped slower than the timeout', async () => {
    simulator.faults.set({ slowDrip: { chunkBytes: 256, intervalMs: 100 } });
    const impatient = newClient({ resilience: { timeoutMs: 400, retries: 0 } });
    const started = Date.now();
    const error = await failure(
      impatient.lookupCitizen(simulator.dataset.citizenAt(3).personalId, { requestId: 'it-drip' }),
    );
    expect(error).toMatchObject({ code: 'POPULATION_TIMEOUT' });
    expect(Date.now() - started).toBeLessThan(1_500);
  });

  it('opens the circuit during an outage, fails fast, and closes again after recovery', async () => {
    const outageClient = newClient();
    const personalId = simulator.dataset.citizenAt(5).personalId;
    await outageClient.lookupCitizen(personalId, { requestId: 'it-before-outage' });
    simulator.faults.set({ down: true });

    for (let i = 0; i < 2; i++) {
      expect(
        await failure(outageClient.lookupCitizen(personalId, { requestId: `it-outage-${i}` })),
      ).toMatchObject({
        code: 'POPULATION_UNAVAILABLE',
      });
    }
    expect(outageClient.health().circuit).toBe('open');
    const dropped = simulator.stats().injected.dropped;
    const started = Date.now();
    const fast = await failure(outageClient.lookupCitizen(personalId, { requestId: 'it-fast' }));
    expect(fast).toMatchObject({ details: { reason: 'CIRCUIT_OPEN' } });
    expect(Date.now() - started).toBeLessThan(50);
    expect(simulator.stats().injected.dropped).toBe(dropped);

    simulator.faults.clear();
    await new Promise((resolve) => setTimeout(resolve, 350));
    const citizen = await outageClient.lookupCitizen(personalId, { requestId: 'it-after-outage' });
    expect(citizen.personalId).toBe(personalId);
    expect(outageClient.health()).toMatchObject({ circuit: 'closed' });
  });
});
