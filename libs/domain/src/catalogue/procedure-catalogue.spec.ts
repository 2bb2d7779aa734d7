import { readConfigDocument } from '@lienthong/config';
import { CatalogueError, MINISTRY_GRANTS, ProcedureCatalogue } from './procedure-catalogue';

function document(overrides: { ministries?: unknown; sectors?: unknown } = {}) {
  return {
    version: 1,
    ministries: overrides.ministries ?? {
      'bo-tu-phap': { name: 'Bộ Tư pháp' },
      'bo-tai-chinh': { name: 'Bộ Tài chính', receives: ['applicant.enterpriseCode'] },
    },
    sectors: overrides.sectors ?? {
      HT: { name: 'Hộ tịch', ministry: 'bo-tu-phap' },
      LLTP: { name: 'Lý lịch tư pháp', ministry: 'bo-tu-phap', receives: ['applicant.personalId', 'note'] },
      DKKD: { name: 'Doanh nghiệp', ministry: 'bo-tai-chinh', receives: ['handler'] },
    },
    procedures: {
      '1.001193': { name: 'Đăng ký khai sinh', sector: 'HT' },
      '2.000488': { name: 'Cấp Phiếu lý lịch tư pháp', sector: 'LLTP' },
      '2.001610': { name: 'Đăng ký thành lập công ty', sector: 'DKKD' },
    },
  };
}

function loadError(doc: unknown): string {
  try {
    ProcedureCatalogue.fromDocument(doc, 'procedures.yaml');
  } catch (error) {
    expect(error).toBeInstanceOf(CatalogueError);
    return (error as Error).message;
  }
  throw new Error('the catalogue loaded');
}

describe('ProcedureCatalogue grants (what each ministry copy may carry)', () => {
  const catalogue = ProcedureCatalogue.fromDocument(document());

  it('grants nothing to a ministry and sector that name no receives', () => {
    expect([...catalogue.route({ procedureCode: '1.001193' })!.grants]).toEqual([]);
  });

  it('gives a sector its ministry grants plus its own, and only for events routed by that sector', () => {
    expect([...catalogue.route({ procedureCode: '2.000488' })!.grants].sort()).toEqual([
      'applicant.personalId',
      'note',
    ]);
    expect([...catalogue.route({ procedureCode: '2.001610' })!.grants].sort()).toEqual([
      'applicant.enterpriseCode',
      'handler',
    ]);
    // an event of a birth-registration procedure that names sector LLTP is routed, and granted, as LLTP
    expect(catalogue.route({ procedureCode: '1.001193', sectorCode: 'LLTP' })).toMatchObject({
      ministry: 'bo-tu-phap',
      sectorCode: 'LLTP',
    });
    expect(catalogue.route({ procedureCode: '1.001193', sectorCode: 'LLTP' })!.grants.has('note')).toBe(true);
  });

  it('does not route a procedure code that is an Object prototype name', () => {
    expect(catalogue.route({ procedureCode: 'constructor' })).toBeUndefined();
    expect(catalogue.route({ procedureCode: 'x', sectorCode: '__proto__' })).toBeUndefined();
  });

  it('refuses an unknown grant, naming where it is and the known grants', () => {
    const message = loadError(
      document({ ministries: { 'bo-tu-phap': { name: 'Bộ Tư pháp', receives: ['applicant.fullName'] } } }),
    );
    expect(message).toContain(
      `ministry bo-tu-phap: receives names unknown grant "applicant.fullName" (known: ${MINISTRY_GRANTS.join(', ')})`,
    );
  });

  it('refuses receives that is not a list, a grant named twice, and a misspelt key', () => {
    const message = loadError(
      document({
        ministries: {
          'bo-tu-phap': { name: 'Bộ Tư pháp', receives: 'note' },
          'bo-tai-chinh': { name: 'Bộ Tài chính', recieves: ['note'] },
        },
        sectors: {
          HT: { name: 'Hộ tịch', ministry: 'bo-tu-phap', receives: ['rating', 'rating'] },
          LLTP: { name: 'Lý lịch tư pháp', ministry: 'bo-tu-phap' },
          DKKD: { name: 'Doanh nghiệp', ministry: 'bo-tai-chinh' },
        },
      }),
    );
    expect(message.split('\n').slice(1)).toEqual([
      `  - ministry bo-tu-phap: receives must be a list of grants (${MINISTRY_GRANTS.join(', ')})`,
      '  - ministry bo-tai-chinh: unknown key "recieves" (allowed: name, receives, kafkaPrincipal)',
      '  - sector HT: receives names rating twice',
    ]);
    expect(message.startsWith('procedures.yaml:')).toBe(true);
  });

  it('refuses a sector or ministry entry that is not a mapping', () => {
    expect(loadError(document({ ministries: { 'bo-tu-phap': null } }))).toContain(
      'ministry bo-tu-phap must be a mapping',
    );
  });

  it('names the agencies it lists (DonViXuLy on the portal), and refuses a code or name that is not one', () => {
    const named = ProcedureCatalogue.fromDocument({
      ...document(),
      agencies: { '000.17.22.H56': 'UBND xã Tân Phú' },
    });
    expect(named.agencyName('000.17.22.H56')).toBe('UBND xã Tân Phú');
    expect(named.agencyName('000.00.14.H56')).toBeUndefined();
    expect(named.agencyName('constructor')).toBeUndefined();
    expect(ProcedureCatalogue.fromDocument(document()).agencyName('000.17.22.H56')).toBeUndefined();
    const message = loadError({ ...document(), agencies: { 'xa-tan-phu': 'UBND', '000.17.22.H56': '' } });
    expect(message).toContain('agency "xa-tan-phu" is not an agency code');
    expect(message).toContain('agency 000.17.22.H56 needs a name');
  });
});

describe('deploy/config/procedures.yaml', () => {
  const shipped = readConfigDocument('deploy/config/procedures.yaml');
  const catalogue = ProcedureCatalogue.fromDocument(shipped.document, shipped.path);

  it('loads, and grants a personal ID only to the sectors whose procedures need it', () => {
    const withPersonalId = ['1.001193', '2.000488', '1.004222', '2.001610', '1.005194', '1.003612']
      .map((procedureCode) => catalogue.route({ procedureCode })!)
      .filter((route) => route.grants.has('applicant.personalId'))
      .map((route) => route.sectorCode);
    expect(withPersonalId.sort()).toEqual(['CU', 'LLTP']);
  });

  it('names the demo agencies', () => {
    expect(catalogue.agencyName('000.17.22.H56')).toBe('UBND xã Tân Phú');
  });
});

describe('ProcedureCatalogue procedure entries (non-boundary intake, competent agencies)', () => {
  function withProcedure(entry: unknown) {
    const doc = document();
    return { ...doc, procedures: { ...doc.procedures, '1.001022': entry } };
  }

  it('gives a procedure entry with its non-boundary flag and competent agencies, and nothing for an unknown code', () => {
    const catalogue = ProcedureCatalogue.fromDocument(
      withProcedure({
        name: 'Đăng ký khai tử',
        sector: 'HT',
        nonBoundary: true,
        competentAgencies: ['000.17.22.H56'],
      }),
    );
    expect(catalogue.procedure('1.001022')).toEqual({
      name: 'Đăng ký khai tử',
      sector: 'HT',
      nonBoundary: true,
      competentAgencies: ['000.17.22.H56'],
    });
    expect(catalogue.procedure('1.001193')?.nonBoundary).toBeUndefined();
    expect(catalogue.procedure('9.999999')).toBeUndefined();
    expect(catalogue.procedure('constructor')).toBeUndefined();
  });

  it('refuses a misspelt key, a non-boolean flag and a competent agency that is not an agency code', () => {
    expect(loadError(withProcedure({ name: 'x', sector: 'HT', nonBoundry: true }))).toContain(
      'procedure 1.001022: unknown key "nonBoundry"',
    );
    expect(loadError(withProcedure({ name: 'x', sector: 'HT', nonBoundary: 'yes' }))).toContain(
      'procedure 1.001022: nonBoundary must be true or false',
    );
    expect(loadError(withProcedure({ name: 'x', sector: 'HT', competentAgencies: ['ubnd xa'] }))).toContain(
      'competent agency "ubnd xa" is not an agency code',
    );
    expect(
      loadError(withProcedure({ name: 'x', sector: 'HT', competentAgencies: '000.17.22.H56' })),
    ).toContain('competentAgencies must be a list of agency codes');
  });
});

describe('ProcedureCatalogue.effective (national catalogue overlaid by the local file)', () => {
  const local = { ...document(), branches: { BTP: 'bo-tu-phap', BTC: 'bo-tai-chinh' } };
  const synced = {
    sectors: [
      { code: 'HT', name: 'Hộ tịch (quốc gia)', branchCode: 'BTC' },
      { code: 'QTCH', name: 'Quốc tịch', branchCode: 'BTP' },
      { code: 'XX', name: 'Ngành chưa ánh xạ', branchCode: 'BZZ' },
    ],
    procedures: [
      { code: '1.001193', name: 'Khai sinh (quốc gia)', sectorCode: 'HT' },
      {
        code: '1.009999',
        name: 'Nhập quốc tịch',
        sectorCode: 'QTCH',
        nonBoundary: true,
        competentAgencies: ['000.00.14.H56', 'not-a-code'],
      },
      { code: '1.008888', name: 'Không có bộ', sectorCode: 'XX' },
    ],
    agencies: [{ code: '000.00.14.H56', name: 'Sở Tư pháp' }],
  };

  it('routes a synced procedure by its sector branch, and the local file wins where both name a code', () => {
    const catalogue = ProcedureCatalogue.effective(local, synced);
    expect(catalogue.route({ procedureCode: '1.009999' })?.ministry).toBe('bo-tu-phap');
    expect(catalogue.procedure('1.009999')).toEqual({
      name: 'Nhập quốc tịch',
      sector: 'QTCH',
      nonBoundary: true,
      competentAgencies: ['000.00.14.H56'],
    });
    expect(catalogue.route({ procedureCode: '1.001193' })).toMatchObject({
      ministry: 'bo-tu-phap',
      sectorName: 'Hộ tịch',
      procedureName: 'Đăng ký khai sinh',
    });
    expect(catalogue.route({ procedureCode: '1.008888' })).toBeUndefined();
    expect(catalogue.agencyName('000.00.14.H56')).toBe('Sở Tư pháp');
  });

  it('lets every holder of a catalogue see a reload', () => {
    const held = ProcedureCatalogue.fromDocument(local);
    expect(held.route({ procedureCode: '1.009999' })).toBeUndefined();
    held.replaceWith(ProcedureCatalogue.effective(local, synced));
    expect(held.route({ procedureCode: '1.009999' })?.ministry).toBe('bo-tu-phap');
  });

  it('refuses a branch that names an unknown ministry', () => {
    expect(loadError({ ...document(), branches: { BYT: 'bo-y-te' } })).toContain(
      'branch BYT names unknown ministry "bo-y-te"',
    );
  });
});
