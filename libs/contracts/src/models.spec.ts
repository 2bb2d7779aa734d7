import {
  AUDIT_CACHE_RESULTS,
  AUDIT_OUTCOMES,
  AUDIT_SUBJECT_KINDS,
  AUDIT_UPSTREAMS,
  DOSSIER_CHANNELS,
  DOSSIER_STATUSES,
  ENCUMBRANCE_KINDS,
  ENTERPRISE_KINDS,
  ENTERPRISE_STATUSES,
  EVENT_TYPES,
  INDICATOR_MAX_POINTS,
  LAND_HOLDER_KINDS,
  LAND_USE_TERMS,
  LEGAL_FORMS,
  PARTY_KINDS,
  PERIOD_KINDS,
  PORTAL_STATUS_CODES,
  PROVENANCE_SOURCES,
  SEXES,
  SIGNATURE_STATUSES,
} from './models';
import type { DossierStatusEvent } from './models';
import {
  DEFINITION_DOCUMENTS,
  resolveSchemaRef,
  SCHEMA_NAMES,
  SchemaRegistry,
  schemaIdOf,
} from './schema-registry';
import type { SchemaDocumentName } from './schema-registry';

// The TypeScript types are generated from the schemas (contract-types.spec.ts keeps them current). These
// checks keep the schema documents tidy and the values models.ts adds in line with the schemas: the
// enumerations (whose members the compiler already checks) in the schemas' order, and the tables of the
// schemas' conditionals and maxima.

type Node = Record<string, unknown>;

const registry = new SchemaRegistry();
const DOCUMENTS: readonly SchemaDocumentName[] = [...DEFINITION_DOCUMENTS, ...SCHEMA_NAMES];

function at(document: SchemaDocumentName, pointer: string): Node {
  let node: unknown = registry.schemaFor(document);
  for (const raw of pointer.split('/').slice(1)) {
    node = (node as Node)[raw.replace(/~1/g, '/').replace(/~0/g, '~')];
    if (node === undefined) throw new Error(`${document}${pointer} does not exist`);
  }
  return node as Node;
}

/** Resolves a $ref as written in `document` to [document, pointer]. */
function resolveRef(document: SchemaDocumentName, ref: string): [SchemaDocumentName, string] {
  const [base, fragment = ''] = ref.split('#');
  if (base === '') return [document, fragment];
  const match = /^([a-z-]+)\.v1\.json$/.exec(base);
  if (!match) throw new Error(`unexpected $ref ${ref} in ${document}`);
  return [match[1] as SchemaDocumentName, fragment];
}

/** Object nodes (schemas with `properties`) reachable without entering conditionals or examples. */
function objectNodes(document: SchemaDocumentName): string[] {
  const found: string[] = [];
  const walk = (node: unknown, pointer: string): void => {
    if (!node || typeof node !== 'object' || Array.isArray(node)) return;
    const schema = node as Node;
    if (schema.properties) found.push(pointer);
    for (const container of ['properties', '$defs', 'patternProperties']) {
      const children = schema[container] as Node | undefined;
      for (const [key, child] of Object.entries(children ?? {}))
        walk(child, `${pointer}/${container}/${key}`);
    }
    if (schema.items) walk(schema.items, `${pointer}/items`);
  };
  walk(registry.schemaFor(document), '');
  return found;
}

/** Every schema node of a document, conditionals included, with its pointer. */
function allNodes(document: SchemaDocumentName): Array<[string, Node]> {
  const out: Array<[string, Node]> = [];
  const walk = (node: unknown, pointer: string): void => {
    if (!node || typeof node !== 'object') return;
    if (Array.isArray(node)) {
      node.forEach((child, index) => walk(child, `${pointer}/${index}`));
      return;
    }
    out.push([pointer, node as Node]);
    for (const [key, child] of Object.entries(node as Node)) {
      if (key !== 'examples' && key !== 'enum' && key !== 'const' && key !== 'required')
        walk(child, `${pointer}/${key}`);
    }
  };
  walk(registry.schemaFor(document), '');
  return out;
}

describe('schema documents', () => {
  it.each(DOCUMENTS.map((name) => [name]))('%s has $schema, $id, title and description', (name) => {
    const schema = registry.schemaFor(name);
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.$id).toBe(schemaIdOf(name));
    expect(typeof schema.title).toBe('string');
    expect(typeof schema.description).toBe('string');
  });

  it.each(DOCUMENTS.map((name) => [name]))(
    '%s: every pattern has a title, used in error messages',
    (name) => {
      const untitled = allNodes(name)
        .filter(([, node]) => typeof node.pattern === 'string' && typeof node.title !== 'string')
        .map(([pointer]) => pointer);
      expect(untitled).toEqual([]);
    },
  );

  it.each(DOCUMENTS.map((name) => [name]))('%s: every property is described', (name) => {
    const undescribed: string[] = [];
    for (const pointer of objectNodes(name)) {
      for (const [property, raw] of Object.entries(at(name, pointer).properties as Node)) {
        let document = name;
        let schema = raw as Node;
        while (typeof schema.description !== 'string' && typeof schema.$ref === 'string') {
          const [target, targetPointer] = resolveRef(document, schema.$ref);
          document = target;
          schema = at(target, targetPointer);
        }
        if (typeof schema.description !== 'string') undescribed.push(`${pointer}/properties/${property}`);
      }
    }
    expect(undescribed).toEqual([]);
  });

  it('references only loaded schemas by absolute $id or local pointer', () => {
    const unresolved: string[] = [];
    for (const name of DOCUMENTS) {
      for (const [pointer, node] of allNodes(name)) {
        if (typeof node.$ref !== 'string') continue;
        try {
          const [target, targetPointer] = resolveRef(name, node.$ref);
          at(target, targetPointer);
        } catch {
          unresolved.push(`${name}${pointer}: ${node.$ref}`);
        }
      }
    }
    expect(unresolved).toEqual([]);
  });
});

describe('models.ts values match the schemas', () => {
  it.each([
    ['citizen', '/properties/sex', SEXES],
    ['common', '/$defs/partyRef/properties/kind', PARTY_KINDS],
    ['enterprise', '/properties/kind', ENTERPRISE_KINDS],
    ['enterprise', '/properties/type', LEGAL_FORMS],
    ['enterprise', '/properties/status', ENTERPRISE_STATUSES],
    ['land-parcel', '/$defs/landUse/properties/term', LAND_USE_TERMS],
    ['land-parcel', '/$defs/holder/properties/kind', LAND_HOLDER_KINDS],
    ['land-parcel', '/$defs/encumbrance/properties/kind', ENCUMBRANCE_KINDS],
    ['dossier-status-event', '/properties/status', DOSSIER_STATUSES],
    ['dossier-status-event', '/properties/channel', DOSSIER_CHANNELS],
    ['reusable-document', '/$defs/signature/properties/status', SIGNATURE_STATUSES],
    ['indicator-report', '/$defs/period/properties/kind', PERIOD_KINDS],
    ['audit-record', '/properties/subjectKind', AUDIT_SUBJECT_KINDS],
    ['audit-record', '/properties/outcome', AUDIT_OUTCOMES],
    ['audit-record', '/properties/upstream', AUDIT_UPSTREAMS],
    ['audit-record', '/properties/cache', AUDIT_CACHE_RESULTS],
  ] as const)('%s%s enum', (schema, pointer, values) => {
    expect(at(schema, pointer).enum).toEqual([...values]);
  });

  it('documents every known provenance source', () => {
    const description = at('common', '/$defs/provenance/properties/source').description as string;
    for (const source of PROVENANCE_SOURCES) expect(description).toContain(source);
  });

  it.each([['dossier-status-event'], ['ministry-dossier-status-event']] as const)(
    'PORTAL_STATUS_CODES equals the status -> portalStatusCode rules of %s',
    (schema) => {
      const rules: Record<string, unknown> = {};
      for (const clause of at(schema, '/allOf') as unknown as Node[]) {
        const status = (((clause.if as Node).properties as Node).status as Node).const as string;
        rules[status] = (((clause.then as Node).properties as Node).portalStatusCode as Node).const;
      }
      expect(rules).toEqual({ ...PORTAL_STATUS_CODES });
    },
  );

  it('PORTAL_STATUS_CODES covers the portal codes 1 to 10', () => {
    expect(Object.values(PORTAL_STATUS_CODES).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it.each(DOSSIER_STATUSES.map((status) => [status]))(
    '%s is accepted only with its own portal code',
    (status) => {
      const event: DossierStatusEvent = {
        eventId: '3f1c2b7e-8a4d-4e5f-9b60-7c8d9e0a1b2c',
        dossierCode: '000.17.22.H56-261031-0007',
        agencyCode: '000.17.22.H56',
        procedureCode: '1.001234',
        status,
        portalStatusCode: PORTAL_STATUS_CODES[status],
        occurredAt: '2026-10-31T09:15:02+07:00',
        channel: 'ONLINE',
        applicant: { kind: 'CITIZEN', personalId: '001090012345' },
      };
      expect(registry.validate('dossier-status-event', event).ok).toBe(true);
      const wrong = (PORTAL_STATUS_CODES[status] % 10) + 1;
      const result = registry.validate('dossier-status-event', { ...event, portalStatusCode: wrong });
      expect(result.ok ? [] : result.errors).toEqual([
        {
          path: '/portalStatusCode',
          code: 'SCHEMA_CONST',
          message: `must be ${PORTAL_STATUS_CODES[status]}`,
        },
      ]);
    },
  );

  it('INDICATOR_MAX_POINTS equals the score maxima and sums to the total maximum', () => {
    const properties = at('indicator-report', '/$defs/scores').properties as Record<string, Node>;
    for (const [group, max] of Object.entries(INDICATOR_MAX_POINTS))
      expect(properties[group].maximum).toBe(max);
    const sum = Object.values(INDICATOR_MAX_POINTS).reduce((total, points) => total + points, 0);
    expect(sum).toBe(100);
    expect(properties.total.maximum).toBe(sum);
  });

  it('EVENT_TYPES with a Liên Thông data schema are bound to it by the envelope, in data and dataschema', () => {
    const bound: Record<string, unknown> = {};
    for (const clause of at('envelope', '/allOf') as unknown as Node[]) {
      const type = (((clause.if as Node).properties as Node).type as Node).const as string;
      const then = (clause.then as Node).properties as Node;
      const data = resolveSchemaRef((then.data as Node).$ref as string, schemaIdOf('envelope'));
      // the URN first; the former https name, still accepted from records written before it moved
      const former = data.replace(
        /^urn:vn:lienthong:schemas\/([a-z-]+)\.v1\.json$/,
        'https://lienthong.gov.vn/schemas/$1/v1.json',
      );
      expect({ type, dataschema: (then.dataschema as Node).enum }).toEqual({
        type,
        dataschema: [data, former],
      });
      bound[type] = data;
    }
    expect(bound).toEqual({
      [EVENT_TYPES.dossierStatus]: schemaIdOf('dossier-status-event'),
      [EVENT_TYPES.ministryDossierStatus]: schemaIdOf('ministry-dossier-status-event'),
      [EVENT_TYPES.indicatorReport]: schemaIdOf('indicator-report'),
    });
    for (const type of Object.values(EVENT_TYPES)) {
      expect(
        registry.validate('envelope', { specversion: '1.0', id: '1', source: '/lienthong/test', type }).ok,
      ).toBe(
        type === EVENT_TYPES.auditLookup ||
          type === EVENT_TYPES.auditCheckpoint ||
          type === EVENT_TYPES.chainEvent,
      );
    }
  });
});
