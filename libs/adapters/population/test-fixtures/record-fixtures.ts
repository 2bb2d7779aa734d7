/**
 * Records the wire samples the adapter's unit specs replay: real answers of the population simulator,
 * signed by the `population-signer` of a throw-away development PKI whose certificate is saved next to them
 * (the specs pin it). Run from the repository root after a build:
 *
 *   npm run build --silent && node dist/libs/adapters/population/test-fixtures/record-fixtures.js
 *
 * Writes *.xml, population-signer.crt and fixtures.json (what request produced each file) into
 * libs/adapters/population/test-fixtures/. The samples are synthetic citizens; no real person is in them.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'undici';
import { repoRoot } from '@lienthong/config';
import { createLogger } from '@lienthong/observability';
import { agencyCertificateName, createDevPki, DEV_PKI_NAMES, XmlSigner } from '@lienthong/pki';
import { startPopulationSimulator } from '@lienthong/simulators';
import { buildRequestEnvelope, RequestFields } from '../src/population.soap';
import { POPULATION_OPERATIONS, PopulationOperation, soapAction } from '../src/population.wire';

export interface FixtureEntry {
  file: string;
  operation: PopulationOperation;
  requestId: string;
  personalId: string;
  claims?: { fullName?: string; dateOfBirth?: string };
  status: number;
  description: string;
}

const FIXED_CLOCK = () => new Date('2026-01-15T02:30:00Z');
const AGENCY = '000.00.14.H56';

async function record(): Promise<void> {
  const outDir = join(repoRoot(), 'libs', 'adapters', 'population', 'test-fixtures');
  const pkiDir = mkdtempSync(join(tmpdir(), 'lgsp-population-fixtures-'));
  const logger = createLogger({ name: 'fixtures', level: 'warn' });
  const pki = createDevPki(pkiDir, { agencies: [AGENCY] });
  const gateway = pki.get(DEV_PKI_NAMES.gateway);
  const signer = new XmlSigner({ privateKey: gateway.keyPem, certificatePem: gateway.certPem });
  const simulator = await startPopulationSimulator({ pkiDir, logger, clock: FIXED_CLOCK });
  const impostor = await startPopulationSimulator({
    pkiDir,
    logger,
    clock: FIXED_CLOCK,
    signerName: agencyCertificateName(AGENCY),
  });
  const entries: FixtureEntry[] = [];

  async function post(
    target: { serviceUrl: string },
    operation: PopulationOperation,
    fields: Omit<RequestFields, 'callerCode' | 'timestamp'>,
    options: { sign?: boolean } = {},
  ): Promise<{ status: number; body: string }> {
    const url = new URL(target.serviceUrl);
    const pool = new Pool(url.origin, {
      connect: { key: gateway.keyPem, cert: gateway.certPem, ca: pki.ca.certPem },
    });
    let envelope = buildRequestEnvelope(signer, operation, {
      ...fields,
      callerCode: '000.00.00.H56',
      timestamp: '20260115093000',
    });
    if (options.sign === false) envelope = envelope.replace(/<ds:Signature[\s\S]*<\/ds:Signature>/, '');
    try {
      const response = await pool.request({
        path: url.pathname,
        method: 'POST',
        headers: { 'content-type': 'text/xml; charset=utf-8', soapaction: soapAction(operation) },
        body: envelope,
      });
      return { status: response.statusCode, body: await response.body.text() };
    } finally {
      await pool.close();
    }
  }

  async function save(
    file: string,
    description: string,
    target: { serviceUrl: string },
    operation: PopulationOperation,
    fields: Omit<RequestFields, 'callerCode' | 'timestamp'>,
    options: { sign?: boolean; claims?: FixtureEntry['claims'] } = {},
  ): Promise<void> {
    const { status, body } = await post(target, operation, fields, options);
    writeFileSync(join(outDir, file), body);
    entries.push({
      file,
      operation,
      requestId: fields.requestId,
      personalId: fields.personalId,
      ...(options.claims ? { claims: options.claims } : {}),
      status,
      description,
    });
  }

  try {
    const dataset = simulator.dataset;
    // A citizen with many fields: legacy ID card, spouse; and one registered with a birth year only.
    let full = dataset.citizenAt(0);
    for (let i = 0; i < 5_000; i++) {
      const c = dataset.citizenAt(i);
      if (c.legacyIdCard && c.spouseName && c.fatherName && c.motherName && c.dateOfBirth.length === 10) {
        full = c;
        break;
      }
    }
    let yearOnly = dataset.citizenAt(1);
    for (let i = 0; i < 50_000; i++) {
      const c = dataset.citizenAt(i);
      if (c.dateOfBirth.length === 4) {
        yearOnly = c;
        break;
      }
    }
    const absent = '001090000000';
    const lookup = POPULATION_OPERATIONS.lookup;
    const verify = POPULATION_OPERATIONS.verify;

    await save('lookup-ok.xml', 'lookup of a citizen with most optional fields', simulator, lookup, {
      requestId: 'fixture-lookup-1',
      personalId: full.personalId,
    });
    await save(
      'lookup-ok-year-only.xml',
      'lookup of a citizen registered with a birth year only',
      simulator,
      lookup,
      {
        requestId: 'fixture-lookup-2',
        personalId: yearOnly.personalId,
      },
    );
    const claims = { fullName: full.fullName.toUpperCase(), dateOfBirth: '1901-01-01' };
    await save(
      'verify-ok.xml',
      'verification: name matches (case-insensitive), date of birth does not',
      simulator,
      verify,
      {
        requestId: 'fixture-verify-1',
        personalId: full.personalId,
        fullName: claims.fullName,
        dateOfBirth: '19010101',
      },
      { claims },
    );
    await save(
      'fault-not-found.xml',
      'KHONG_TIM_THAY for a valid but absent personal ID',
      simulator,
      lookup,
      {
        requestId: 'fixture-notfound-1',
        personalId: absent,
      },
    );
    await save(
      'fault-invalid.xml',
      'DU_LIEU_KHONG_HOP_LE for a personal ID with an unknown province code',
      simulator,
      lookup,
      { requestId: 'fixture-invalid-1', personalId: '999090012345' },
    );
    await save(
      'fault-request-rejected.xml',
      'CHU_KY_KHONG_HOP_LE for an unsigned request',
      simulator,
      lookup,
      { requestId: 'fixture-unsigned-1', personalId: full.personalId },
      { sign: false },
    );

    simulator.faults.set({ errorRate: 1 });
    await save(
      'fault-busy.xml',
      'HE_THONG_BAN injected by errorRate, answering the same request as lookup-ok',
      simulator,
      lookup,
      {
        requestId: 'fixture-lookup-1',
        personalId: full.personalId,
      },
    );
    simulator.faults.set({ errorRate: null, badSignatureRate: 1 });
    await save(
      'lookup-tampered.xml',
      'lookup answer altered after signing (badSignatureRate)',
      simulator,
      lookup,
      {
        requestId: 'fixture-lookup-1',
        personalId: full.personalId,
      },
    );
    simulator.faults.set({ badSignatureRate: null, malformedRate: 1 });
    await save('lookup-truncated.xml', 'lookup answer cut in half (malformedRate)', simulator, lookup, {
      requestId: 'fixture-lookup-1',
      personalId: full.personalId,
    });
    simulator.faults.clear();
    await save(
      'lookup-unexpected-signer.xml',
      'lookup answer validly signed, but by another certificate of the same CA (agency-000.00.14.H56)',
      impostor,
      lookup,
      { requestId: 'fixture-lookup-1', personalId: full.personalId },
    );

    writeFileSync(join(outDir, 'population-signer.crt'), pki.get(DEV_PKI_NAMES.populationSigner).certPem);
    writeFileSync(join(outDir, 'fixtures.json'), `${JSON.stringify(entries, null, 2)}\n`);
    console.log(`wrote ${entries.length} samples to ${outDir}`);
  } finally {
    await simulator.close();
    await impostor.close();
    rmSync(pkiDir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  record().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
