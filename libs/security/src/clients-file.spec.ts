import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dump } from 'js-yaml';
import { ClientRegistry } from './client-registry';
import { readClientsFile } from './clients-file';
import type { ClientsDocument } from './clients.types';
import { ClientsConfigError } from './security.errors';
import { testClientsDocument } from './testing/security.fixtures';

function problemsOf(document: unknown): string[] {
  try {
    ClientRegistry.fromDocument(document, { source: 'test.yaml' });
  } catch (error) {
    if (error instanceof ClientsConfigError) return [...error.problems];
    throw error;
  }
  throw new Error('the document was accepted');
}

function edited(edit: (document: ClientsDocument) => void): ClientsDocument {
  const document = testClientsDocument();
  edit(document);
  return document;
}

describe('client registry loading', () => {
  it('loads the sample deploy/config/clients.yaml with its purpose catalogue', () => {
    const registry = ClientRegistry.load();
    expect(registry.clients().map((client) => [client.id, client.kind, client.admin])).toEqual([
      ['motcua-lao-cai', 'ONE_STOP_SYSTEM', false],
      ['btp-ho-tich', 'MINISTRY', false],
      ['dpo-lao-cai', 'ADMIN', true],
      ['van-hanh-lao-cai', 'ADMIN', false],
    ]);
    const oneStop = registry.client('motcua-lao-cai')!;
    // the province's one-stop system: every agency of Lào Cai (H56), producing to its own inbound topic
    expect(oneStop.agencies).toEqual(['000.*.*.H56']);
    expect(oneStop.kafkaPrincipal).toBe('motcua-lao-cai');
    expect(registry.eventProducers().map((client) => client.id)).toEqual(['motcua-lao-cai']);
    expect(registry.client('dpo-lao-cai')!.roles).toEqual(['DATA_PROTECTION_OFFICER']);
    expect(registry.client('van-hanh-lao-cai')!.roles).toEqual(['OPERATOR']);
    expect(oneStop.apiKeys).toHaveLength(1);
    expect(oneStop.certificates[0].subject).toMatchObject({ CN: ['motcua.laocai.gov.vn'], C: ['VN'] });
    expect(oneStop.services['citizen.lookup']?.fields).not.toContain('religion');
    expect(registry.client('btp-ho-tich')!.services['citizen.lookup']?.fields).toContain(
      'permanentResidence.provinceCode',
    );
    for (const code of registry.purposeCodes()) {
      const purpose = registry.purpose(code)!;
      expect(purpose.description.vi).toBeTruthy();
      expect(purpose.description.en).toBeTruthy();
      expect(purpose.legalBasis).toMatch(/Nghị định|Luật/);
    }
    expect(registry.purpose('DOSSIER_PROCESSING')!.requiresDossierCode).toBe(true);
  });

  it('loads a file given by absolute path and reports YAML syntax errors and missing files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lienthong-clients-'));
    const good = join(dir, 'clients.yaml');
    writeFileSync(good, dump(testClientsDocument()));
    expect(readClientsFile(good).clients).toHaveLength(5);

    const broken = join(dir, 'broken.yaml');
    writeFileSync(broken, 'version: 1\nclients: [\n');
    expect(() => readClientsFile(broken)).toThrow(
      /broken\.yaml is not a valid client registry:\n {2}- is not valid YAML/,
    );
    expect(() => readClientsFile(join(dir, 'absent.yaml'))).toThrow(
      /absent\.yaml is not a valid client registry:\n {2}- cannot be read/,
    );
  });

  const cases: [string, (document: ClientsDocument) => void, string[]][] = [
    [
      'an unknown property of a client',
      (d) => Object.assign(d.clients[0], { groups: ['x'] }),
      [
        'clients[0] (motcua): unknown property "groups" (allowed: id, name, kind, enabled, admin, agencies, roles, kafka, contact, apiKeys, certificates, rateLimit, services)',
      ],
    ],
    [
      'a missing rate limit',
      (d) => delete (d.clients[1] as Partial<ClientsDocument['clients'][number]>).rateLimit,
      ['clients[1] (bo-tu-phap): missing required property "rateLimit"'],
    ],
    [
      'a client without any credential',
      (d) => delete d.clients[3].apiKeys,
      ['clients[3] (dpo): needs at least one of apiKeys, certificates'],
    ],
    [
      'a key stored in clear instead of its hash',
      (d) => (d.clients[0].apiKeys![0].sha256 = 'lt_abc'),
      ['clients[0] (motcua).apiKeys[0] (k1).sha256: value is not in the expected form (^[0-9a-f]{64}$)'],
    ],
    [
      'an unknown service',
      (d) =>
        Object.assign(d.clients[0].services, {
          'citizen.search': { purposes: ['EFORM_PREFILL'], fields: '*' },
        }),
      [
        'clients[0] (motcua).services: unknown property "citizen.search" (allowed: citizen.lookup, citizen.verify, enterprise.lookup, land.lookup, dossier.events, documents.register, documents.search, audit.subjects, indicators.read, chains, payments, deliveries, feedback)',
      ],
    ],
    [
      'a lookup grant without fields',
      (d) => delete d.clients[0].services['citizen.lookup']!.fields,
      ['clients[0] (motcua).services["citizen.lookup"]: missing required property "fields"'],
    ],
    [
      'a field scope that is neither * nor a list',
      (d) => ((d.clients[0].services['enterprise.lookup'] as { fields: unknown }).fields = 'all'),
      ['clients[0] (motcua).services["enterprise.lookup"].fields: must be "*"'],
    ],
    [
      'an unknown client kind',
      (d) => ((d.clients[0] as { kind: string }).kind = 'BANK'),
      ['clients[0] (motcua).kind: must be one of ONE_STOP_SYSTEM, MINISTRY, AGENCY, ADMIN'],
    ],
    [
      'a purpose code in the wrong form',
      (d) => (d.purposes['eform-prefill'] = d.purposes.EFORM_PREFILL),
      ['purposes: property name "eform-prefill" is not a valid purpose code (^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$)'],
    ],
    [
      'a purpose without its legal basis',
      (d) => delete (d.purposes.EFORM_PREFILL as Partial<ClientsDocument['purposes'][string]>).legalBasis,
      ['purposes.EFORM_PREFILL: missing required property "legalBasis"'],
    ],
    [
      'an expiry that is not a date-time',
      (d) => (d.clients[1].apiKeys![0].expiresAt = '2027-01-01'),
      ['clients[1] (bo-tu-phap).apiKeys[0] (current).expiresAt: must match format "date-time"'],
    ],
    [
      'a purpose that is not in the catalogue',
      (d) => d.clients[0].services['citizen.lookup']!.purposes!.push('MARKETING'),
      [
        'clients[0] (motcua).services["citizen.lookup"].purposes: "MARKETING" is not in the purpose catalogue (purposes:)',
      ],
    ],
    [
      'audit.subjects granted to a client that is not admin',
      (d) => (d.clients[0].services['audit.subjects'] = { purposes: ['DATA_SUBJECT_REQUEST'] }),
      [
        'clients[0] (motcua).services["audit.subjects"]: only admin clients (admin: true) may be granted audit.subjects',
      ],
    ],
    [
      'a misspelt field path',
      (d) =>
        (d.clients[1].services['citizen.lookup']!.fields = [
          'personalId',
          'dateofBirth',
          'permanentResidence.province',
        ]),
      [
        expect.stringContaining(
          'clients[1] (bo-tu-phap).services["citizen.lookup"].fields: "dateofBirth" is not a field of the citizen model (contracts/schemas/citizen.v1.json; its fields: personalId, legacyIdCard, fullName, dateOfBirth,',
        ),
        expect.stringContaining('"permanentResidence.province" is not a field of the citizen model'),
      ] as unknown as string[],
    ],
    [
      'the same key registered for two clients',
      (d) => (d.clients[3].apiKeys![0].sha256 = d.clients[0].apiKeys![0].sha256),
      [
        expect.stringMatching(
          /^API key hash [0-9a-f]{12}… \(key "k1"\) is registered for both "motcua" and "dpo"$/,
        ),
      ] as unknown as string[],
    ],
    [
      'two clients with the same id',
      (d) => (d.clients[2].id = 'motcua'),
      ['client id "motcua" is used by more than one client'],
    ],
    [
      'the id reserved for the demo client',
      (d) => (d.clients[2].id = 'demo'),
      ['clients[2] (demo).id: "demo" is reserved for the local demo client'],
    ],
    [
      'a key that expires before it was created',
      (d) => (d.clients[1].apiKeys![1].expiresAt = '2024-01-01T00:00:00Z'),
      ['clients[1] (bo-tu-phap).apiKeys[1] (old): expiresAt must be after createdAt'],
    ],
    [
      'a certificate entry with neither subject nor fingerprint',
      (d) => (d.clients[0].certificates = [{ description: 'forgot it' }]),
      ['clients[0] (motcua).certificates[0]: needs at least one of subject, sha256Fingerprint'],
    ],
    [
      'a certificate subject that is not a DN',
      (d) => (d.clients[0].certificates = [{ subject: 'CN=a,motcua' }]),
      ['clients[0] (motcua).certificates[0].subject: "motcua" is not an ATTRIBUTE=value pair'],
    ],
  ];

  it.each(cases)('refuses %s with a message naming where', (_name, edit, expected) => {
    expect(problemsOf(edited(edit))).toEqual(expected);
  });

  it('lists every problem at once, and the error message carries them', () => {
    const document = edited((d) => {
      delete (d.clients[0] as Partial<ClientsDocument['clients'][number]>).name;
      d.clients[1].enabled = 'yes' as unknown as boolean;
    });
    expect(() => ClientRegistry.fromDocument(document, { source: 'deploy/config/clients.yaml' })).toThrow(
      'deploy/config/clients.yaml is not a valid client registry:\n' +
        '  - clients[0] (motcua): missing required property "name"\n' +
        '  - clients[1] (bo-tu-phap).enabled: must be boolean',
    );
  });

  it('refuses a document that is not a registry at all', () => {
    expect(problemsOf({ clients: 'none' })).toEqual([
      '(document): missing required property "version"',
      '(document): missing required property "purposes"',
      'clients: must be array',
    ]);
  });
});
