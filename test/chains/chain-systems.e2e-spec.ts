/**
 * The chain systems' clients against the three agency-system simulators over real HTTP: each step of both
 * national chains as the orchestrator will send it, with the previous step's result passed on, and the
 * failures the orchestrator must tell apart (refused, retry later, give up).
 */
import { randomUUID } from 'node:crypto';
import { validatePersonalId } from '@lienthong/domain';
import { UpstreamError } from '@lienthong/adapters/common';
import {
  ChainStepAnswer,
  CivilStatusClient,
  ResidenceClient,
  SocialSecurityClient,
} from '@lienthong/adapters/chain-systems';
import { CivilStatusSimulator, startCivilStatusSimulator } from '../../apps/simulators/src/civil-status';
import { ResidenceSimulator, startResidenceSimulator } from '../../apps/simulators/src/residence';
import {
  SocialSecuritySimulator,
  startSocialSecuritySimulator,
} from '../../apps/simulators/src/social-security';

const MOTHER = '001195012345';
const FATHER = '001093054321';
const FAST = { retries: 1, retryInitialDelayMs: 10, retryMaxDelayMs: 20, timeoutMs: 2_000 };

const birthApplication = {
  'child.fullName': 'Nguyễn Minh An',
  'child.sex': 'FEMALE',
  'child.dateOfBirth': '2024-02-29',
  'child.placeOfBirth': 'Bệnh viện Phụ sản Hà Nội',
  'child.ethnicity': 'Kinh',
  'child.nationality': 'Việt Nam',
  'mother.personalId': MOTHER,
  'father.personalId': FATHER,
  'declarant.personalId': MOTHER,
  'declarant.relationship': 'ME',
  'residence.householdHeadPersonalId': FATHER,
  'healthInsurance.registeredClinic': 'Trạm y tế phường Hoàn Kiếm',
  // from the population database, not asked of the citizen
  'mother.fullName': 'Trần Thị Bình',
  'mother.residence': 'Số 12 phố Hàng Bài, phường Hoàn Kiếm, Hà Nội',
};

describe('chain systems clients against the simulators', () => {
  let civil: CivilStatusSimulator;
  let residence: ResidenceSimulator;
  let vss: SocialSecuritySimulator;
  let civilClient: CivilStatusClient;
  let residenceClient: ResidenceClient;
  let vssClient: SocialSecurityClient;
  const ctx = () => ({ requestId: `chain-${randomUUID()}` });

  beforeAll(async () => {
    [civil, residence, vss] = await Promise.all([
      startCivilStatusSimulator(),
      startResidenceSimulator(),
      startSocialSecuritySimulator({ processingDelayMs: 200 }),
    ]);
    civilClient = new CivilStatusClient({
      url: civil.url,
      username: 'lienthong',
      password: 'lienthong-dev',
      resilience: FAST,
    });
    residenceClient = new ResidenceClient({
      url: residence.url,
      clientId: 'lienthong',
      clientSecret: 'lienthong-dev-secret',
      resilience: FAST,
    });
    vssClient = new SocialSecurityClient({
      url: vss.url,
      clientId: 'lienthong',
      secret: 'lienthong-dev-hmac-secret',
      resilience: FAST,
    });
  });
  afterAll(async () => {
    await Promise.all([civilClient.close(), residenceClient.close(), vssClient.close()]);
    await Promise.all([civil.close(), residence.close(), vss.close()]);
  });
  afterEach(() => {
    civil.faults.set({ down: false });
    civil.refusals.clear();
    residence.refusals.clear();
  });

  async function decided(answer: ChainStepAnswer): Promise<ChainStepAnswer> {
    let current = answer;
    for (let i = 0; current.state === 'pending' && i < 100; i++) {
      await new Promise((resolve) =>
        setTimeout(resolve, Math.min(current.state === 'pending' ? current.retryAfterMs : 0, 200)),
      );
      current = await vssClient.check((current as { reference: string }).reference, ctx());
    }
    return current;
  }

  it('runs the birth chain: each system gets the previous step result, and the child is registered once', async () => {
    const parent = `CHAIN-${randomUUID().slice(0, 8)}`;
    const birth = await civilClient.submit(
      {
        transactionId: `${parent}-birth-registration`,
        operation: 'birth-registration',
        fields: birthApplication,
      },
      ctx(),
    );
    expect(birth.state).toBe('done');
    const produced = (birth as { produces: Record<string, string> }).produces;
    expect(
      validatePersonalId(produced['child.personalId'], { dateOfBirth: '2024-02-29', sex: 'FEMALE' }).valid,
    ).toBe(true);
    // what the civil-status system stored: the application's fields and the reused ones, under its own names
    const stored = civil.store.births.get(`${parent}-birth-registration`)!;
    expect(stored.request.child).toMatchObject({
      fullName: 'Nguyễn Minh An',
      sex: 'NU',
      dateOfBirth: '2024-02-29',
    });
    expect(stored.request.mother).toMatchObject({ personalId: MOTHER, fullName: 'Trần Thị Bình' });

    // sent again (a retry after a crash): the same personal ID, no second registration
    const again = await civilClient.submit(
      {
        transactionId: `${parent}-birth-registration`,
        operation: 'birth-registration',
        fields: birthApplication,
      },
      ctx(),
    );
    expect(again).toEqual(birth);
    expect(civil.store.issuedPersonalIds.has(produced['child.personalId'])).toBe(true);

    const fields = { ...birthApplication, ...produced };
    const registered = await residenceClient.submit(
      { transactionId: `${parent}-permanent-residence`, operation: 'permanent-residence', fields },
      ctx(),
    );
    expect(registered).toEqual({
      state: 'done',
      produces: {
        'residence.address': birthApplication['mother.residence'],
        'residence.registeredOn': expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
      },
    });
    expect(residence.store.registrations.get(`${parent}-permanent-residence`)?.request).toMatchObject({
      congDan: { soDinhDanh: produced['child.personalId'] },
      soGiayKhaiSinh: produced['birthCertificate.number'],
    });

    const accepted = await vssClient.submit(
      { transactionId: `${parent}-health-insurance-card`, operation: 'health-insurance-card', fields },
      ctx(),
    );
    expect(accepted.state).toBe('pending');
    const card = await decided(accepted);
    expect(card).toMatchObject({
      state: 'done',
      produces: {
        'healthInsurance.cardNumber': expect.stringMatching(/^TE1/),
        'healthInsurance.validFrom': '2024-02-29',
        'healthInsurance.validUntil': '2030-02-28',
      },
    });
    expect(vss.store.insuredChildren.has(produced['child.personalId'])).toBe(true);
  });

  it('runs the death chain to the funeral allowance', async () => {
    const parent = `CHAIN-${randomUUID().slice(0, 8)}`;
    const deceased = '001052012345';
    const application = {
      'deceased.personalId': deceased,
      'deceased.dateOfDeath': '2026-11-30',
      'deceased.placeOfDeath': 'Bệnh viện Bạch Mai',
      'deceased.causeOfDeath': 'Bệnh',
      'declarant.personalId': FATHER,
      'declarant.relationship': 'CON',
      'beneficiary.personalId': FATHER,
      'beneficiary.bankAccount': '0011001234567',
    };
    const death = await civilClient.submit(
      { transactionId: `${parent}-death-registration`, operation: 'death-registration', fields: application },
      ctx(),
    );
    expect(death).toMatchObject({
      state: 'done',
      produces: { 'deathCertificate.number': expect.any(String) },
    });
    const fields = { ...application, ...(death as { produces: Record<string, string> }).produces };
    // the deceased had no permanent residence in the simulator: a refusal is an answer, with the citizen's reason
    const deletion = await residenceClient.submit(
      { transactionId: `${parent}-residence-deletion`, operation: 'residence-deletion', fields },
      ctx(),
    );
    expect(['done', 'refused']).toContain(deletion.state);
    const allowance = await decided(
      await vssClient.submit(
        { transactionId: `${parent}-funeral-allowance`, operation: 'funeral-allowance', fields },
        ctx(),
      ),
    );
    expect(allowance).toMatchObject({ state: 'done', produces: { 'benefit.amount': '23400000' } });
  });

  it('answers a refusal with the system code and the citizen reason, not an error', async () => {
    const parent = `CHAIN-${randomUUID().slice(0, 8)}`;
    residence.refusals.add({
      match: `${parent}-permanent-residence`,
      code: 'SAI_DIA_CHI',
      reason: 'Địa chỉ không đúng.',
    });
    const answer = await residenceClient.submit(
      {
        transactionId: `${parent}-permanent-residence`,
        operation: 'permanent-residence',
        fields: {
          ...birthApplication,
          'child.personalId': '001324000999',
          'birthCertificate.number': '000009/2024/KS',
        },
      },
      ctx(),
    );
    expect(answer).toEqual({ state: 'refused', code: 'SAI_DIA_CHI', reason: 'Địa chỉ không đúng.' });
  });

  it('tells the orchestrator what kind of failure it met: retry later, or give up on the step', async () => {
    const kindOf = async (promise: Promise<unknown>) => {
      const error = await promise.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(UpstreamError);
      expect((error as UpstreamError).code).toBe(`CHAIN_SYSTEM_${(error as UpstreamError).kind}`);
      return { kind: (error as UpstreamError).kind, transient: (error as UpstreamError).transient };
    };
    const parent = `CHAIN-${randomUUID().slice(0, 8)}`;
    // a field missing: refused before anything is sent
    const { 'child.placeOfBirth': _omitted, ...withoutPlace } = birthApplication;
    expect(
      await kindOf(
        civilClient.submit(
          {
            transactionId: `${parent}-birth-registration`,
            operation: 'birth-registration',
            fields: withoutPlace,
          },
          ctx(),
        ),
      ),
    ).toEqual({ kind: 'INVALID_REQUEST', transient: false });
    expect(civil.store.births.has(`${parent}-birth-registration`)).toBe(false);

    // the same transaction id with other content
    await civilClient.submit(
      {
        transactionId: `${parent}-birth-registration`,
        operation: 'birth-registration',
        fields: birthApplication,
      },
      ctx(),
    );
    expect(
      await kindOf(
        civilClient.submit(
          {
            transactionId: `${parent}-birth-registration`,
            operation: 'birth-registration',
            fields: { ...birthApplication, 'child.fullName': 'Nguyễn Minh Anh' },
          },
          ctx(),
        ),
      ),
    ).toEqual({ kind: 'CONFLICT', transient: false });

    // the system down
    civil.faults.set({ down: true });
    expect(
      await kindOf(
        civilClient.submit(
          { transactionId: `${parent}-b2`, operation: 'birth-registration', fields: birthApplication },
          ctx(),
        ),
      ),
    ).toEqual({ kind: 'UNAVAILABLE', transient: true });

    // wrong credentials and a wrong signature secret
    const wrongPassword = new CivilStatusClient({
      url: civil.url,
      username: 'lienthong',
      password: 'nope',
      resilience: FAST,
    });
    const wrongSecret = new SocialSecurityClient({
      url: vss.url,
      clientId: 'lienthong',
      secret: 'nope',
      resilience: FAST,
    });
    const wrongClient = new ResidenceClient({
      url: residence.url,
      clientId: 'lienthong',
      clientSecret: 'nope',
      resilience: FAST,
    });
    civil.faults.set({ down: false });
    try {
      expect(
        await kindOf(
          wrongPassword.submit(
            { transactionId: `${parent}-b3`, operation: 'birth-registration', fields: birthApplication },
            ctx(),
          ),
        ),
      ).toEqual({ kind: 'AUTHENTICATION', transient: false });
      expect(await kindOf(wrongSecret.check('HS20260101000001', ctx()))).toEqual({
        kind: 'AUTHENTICATION',
        transient: false,
      });
      expect(
        await kindOf(
          wrongClient.submit(
            {
              transactionId: `${parent}-r3`,
              operation: 'permanent-residence',
              fields: {
                ...birthApplication,
                'child.personalId': '001324000998',
                'birthCertificate.number': '1/2024/KS',
              },
            },
            ctx(),
          ),
        ),
      ).toEqual({ kind: 'AUTHENTICATION', transient: false });
    } finally {
      await Promise.all([wrongPassword.close(), wrongSecret.close(), wrongClient.close()]);
    }
  });

  it('fetches a new residence token once when the database no longer accepts the cached one', async () => {
    const parent = `CHAIN-${randomUUID().slice(0, 8)}`;
    const fields = (n: number) => ({
      ...birthApplication,
      'child.personalId': `00132400${String(n).padStart(4, '0')}`,
      'birthCertificate.number': `${n}/2024/KS`,
    });
    await residenceClient.submit(
      { transactionId: `${parent}-1`, operation: 'permanent-residence', fields: fields(1) },
      ctx(),
    );
    residence.tokens.expireAll();
    const answer = await residenceClient.submit(
      { transactionId: `${parent}-2`, operation: 'permanent-residence', fields: fields(2) },
      ctx(),
    );
    expect(answer.state).toBe('done');
    expect(residence.store.registrations.has(`${parent}-2`)).toBe(true);
  });
});
