import { readConfigDocument } from '@lienthong/config';
import { ProcedureCatalogue } from '../catalogue/procedure-catalogue';
import { ChainDefinitionError, parseChainDefinitions, type ChainDefinitions } from './chain-definitions';

const procedures = readConfigDocument('deploy/config/procedures.yaml');
const catalogue = ProcedureCatalogue.fromDocument(procedures.document, procedures.path);
/** The shipped file as a fresh object, to break one rule at a time. */
const shipped = () =>
  readConfigDocument('deploy/config/chains.yaml').document as {
    systems: Record<string, Record<string, unknown>>;
    chains: Record<string, { application: { fields: string[] }; steps: Record<string, unknown>[] }>;
  };

function problemsOf(document: unknown): string[] {
  try {
    parseChainDefinitions(document, { catalogue });
  } catch (error) {
    expect(error).toBeInstanceOf(ChainDefinitionError);
    return [...(error as ChainDefinitionError).problems];
  }
  throw new Error('the document was accepted');
}

describe('procedure chain definitions', () => {
  let definitions: ChainDefinitions;
  beforeAll(() => {
    definitions = parseChainDefinitions(shipped(), { catalogue });
  });

  it('ships the two national chains of Decree 63/2024 with their steps in order', () => {
    expect([...definitions.chains.keys()]).toEqual([
      'birth-residence-health-insurance',
      'death-residence-funeral-allowance',
    ]);
    const birth = definitions.chains.get('birth-residence-health-insurance');
    expect(birth?.steps.map((s) => [s.id, s.system.slug, s.system.ministry])).toEqual([
      ['birth-registration', 'civil-status', 'bo-tu-phap'],
      ['permanent-residence', 'residence', 'bo-cong-an'],
      ['health-insurance-card', 'social-security', 'bo-tai-chinh'],
    ]);
    const death = definitions.chains.get('death-residence-funeral-allowance');
    expect(death?.steps.map((s) => s.id)).toEqual([
      'death-registration',
      'residence-deletion',
      'funeral-allowance',
    ]);
  });

  it("passes the child's personal ID from the birth registration on, and reuses the parents' data instead of asking", () => {
    const birth = definitions.chains.get('birth-residence-health-insurance');
    const card = birth?.steps.find((s) => s.id === 'health-insurance-card');
    expect(card?.needs).toContainEqual({
      from: { kind: 'step', step: 'birth-registration' },
      fields: ['child.personalId', 'birthCertificate.number'],
    });
    // nothing the population database holds is in the application
    const reused = birth?.steps.flatMap((s) =>
      s.needs.filter((n) => n.from.kind === 'national').flatMap((n) => n.fields),
    );
    expect(reused).toContain('mother.fullName');
    for (const field of reused ?? []) expect(birth?.applicationFields).not.toContain(field);
    // what the chain produces is never asked of the citizen
    for (const step of birth?.steps ?? []) {
      for (const field of step.produces) expect(birth?.applicationFields).not.toContain(field);
    }
  });

  it('lists every broken rule at once', () => {
    const document = shipped();
    const steps = document.chains['birth-residence-health-insurance'].steps;
    steps[0].needs = [{ from: 'step:health-insurance-card', fields: ['healthInsurance.cardNumber'] }];
    steps[1].system = 'tax';
    (steps[2].needs as unknown[]).push({ from: 'step:birth-registration', fields: ['child.bloodType'] });
    steps[2].id = 'birth-registration';
    steps[2].procedureCode = '9.999999';
    document.chains['birth-residence-health-insurance'].application.fields.push('child.nickname');
    const death = document.chains['death-residence-funeral-allowance'].steps;
    death[2].onRefused = { action: 'compensate', compensate: ['funeral-allowance'] };
    (death[2].needs as unknown[]).push({ from: 'step:residence-deletion', fields: ['residence.deletedOn'] });
    document.systems['residence'].ministry = 'bo-khong-co';

    expect(problemsOf(document).sort()).toEqual(
      [
        'system residence: ministry "bo-khong-co" is not in the procedure catalogue',
        'chain birth-residence-health-insurance, step birth-registration: needs the result of "health-insurance-card", which is not an earlier step',
        'chain birth-residence-health-insurance, step permanent-residence: unknown system "tax"',
        'chain birth-residence-health-insurance, step birth-registration: the id is used twice',
        'chain birth-residence-health-insurance, step birth-registration: procedure 9.999999 is not in the procedure catalogue',
        'chain birth-residence-health-insurance, step birth-registration: needs child.bloodType from step birth-registration, which does not produce it',
        'chain birth-residence-health-insurance: the application asks for child.nickname, which no step needs',
        // the first step no longer needs these from the application
        ...[
          'child.fullName',
          'child.sex',
          'child.dateOfBirth',
          'child.placeOfBirth',
          'child.ethnicity',
          'child.nationality',
          'mother.personalId',
          'father.personalId',
          'declarant.personalId',
          'declarant.relationship',
        ]
          .filter((field) => !['child.fullName', 'child.sex', 'child.dateOfBirth'].includes(field))
          .map(
            (field) =>
              `chain birth-residence-health-insurance: the application asks for ${field}, which no step needs`,
          ),
        'chain death-residence-funeral-allowance, step funeral-allowance: compensates "funeral-allowance", which is not an earlier step',
        'chain death-residence-funeral-allowance, step funeral-allowance: needs the result of residence-deletion, which the chain skips when refused (onRefused: continue)',
      ].sort(),
    );
  });

  it('refuses what the schema forbids, naming where', () => {
    const document = shipped();
    const step = document.chains['birth-residence-health-insurance'].steps[0];
    step.onRefused = { action: 'compensate' };
    step.owner = 'someone';
    step.timeLimit = { workingDays: 1, hours: 8 };
    document.systems['civil-status'].interface = 'soap-2009';
    const problems = problemsOf(document);
    expect(problems).toEqual(
      expect.arrayContaining([
        '/chains/birth-residence-health-insurance/steps/0 must NOT have additional properties "owner"',
        "/chains/birth-residence-health-insurance/steps/0/onRefused must have required property 'compensate'",
        '/systems/civil-status/interface must be equal to one of the allowed values (civil-status-v1, residence-v1, social-security-v1)',
      ]),
    );
    expect(
      problems.some((p) => p.startsWith('/chains/birth-residence-health-insurance/steps/0/timeLimit')),
    ).toBe(true);
  });
});
