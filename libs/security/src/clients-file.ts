import { readFileSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import Ajv2020, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { load } from 'js-yaml';
import { repoRoot } from '@lienthong/config';
import type {
  ApiKeyCredential,
  CertificateCredential,
  ClientDocument,
  ClientsDocument,
  PurposeDefinition,
  RegisteredClient,
  ServiceGrant,
} from './clients.types';
import { normaliseFingerprint, parseDistinguishedName } from './certificate';
import { ModelFieldIndex } from './field-paths';
import { ClientsConfigError } from './security.errors';
import { SERVICES, type ServiceName } from './services';

/** Where the JSON Schema of clients.yaml lives, relative to the repository root. */
export const CLIENTS_SCHEMA_PATH = 'contracts/config/clients.schema.json';
/** Default location of the client registry, relative to the repository root. */
export const DEFAULT_CLIENTS_FILE = 'deploy/config/clients.yaml';
/** Id of the client {@link withDemoClient} adds; a file may not use it. */
export const DEMO_CLIENT_ID = 'demo';

export interface ClientsConfig {
  purposes: ReadonlyMap<string, PurposeDefinition>;
  clients: readonly RegisteredClient[];
}

let validator: ValidateFunction | undefined;

function schemaValidator(): ValidateFunction {
  if (!validator) {
    const schema = JSON.parse(readFileSync(join(repoRoot(), CLIENTS_SCHEMA_PATH), 'utf8')) as object;
    const ajv = new Ajv2020({
      allErrors: true,
      strict: true,
      // the anyOf alternatives name properties declared beside them, which strictRequired cannot see
      strictRequired: false,
      allowUnionTypes: true,
      verbose: true,
    });
    addFormats(ajv, ['date-time']);
    validator = ajv.compile(schema);
  }
  return validator;
}

/** Resolves a registry path: absolute as given, relative from the repository root. */
export function resolveClientsFile(file: string = DEFAULT_CLIENTS_FILE): string {
  return isAbsolute(file) ? file : join(repoRoot(), file);
}

/** Reads, parses and validates a clients.yaml file; throws {@link ClientsConfigError} listing every problem. */
export function readClientsFile(file: string = DEFAULT_CLIENTS_FILE): ClientsConfig {
  const path = resolveClientsFile(file);
  const shown = displayPath(path);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ClientsConfigError(shown, [`cannot be read: ${(error as Error).message}`]);
  }
  let document: unknown;
  try {
    document = load(text, { filename: shown });
  } catch (error) {
    throw new ClientsConfigError(shown, [`is not valid YAML: ${(error as Error).message}`]);
  }
  return parseClientsDocument(document, shown);
}

/**
 * Validates a parsed document against contracts/config/clients.schema.json, then the rules a schema cannot
 * express, and builds the runtime form. `source` names the document in messages.
 */
export function parseClientsDocument(document: unknown, source = 'client registry'): ClientsConfig {
  const validate = schemaValidator();
  if (!validate(document)) {
    throw new ClientsConfigError(source, formatSchemaErrors(validate.errors ?? [], document));
  }
  const doc = document as ClientsDocument;
  const problems: string[] = [];
  const purposes = new Map<string, PurposeDefinition>();
  for (const [code, purpose] of Object.entries(doc.purposes)) {
    purposes.set(code, {
      code,
      description: { vi: purpose.description.vi, en: purpose.description.en },
      legalBasis: purpose.legalBasis,
      requiresDossierCode: purpose.requiresDossierCode ?? false,
    });
  }
  const fields = new ModelFieldIndex();
  const clients = doc.clients.map((client, index) =>
    buildClient(client, `clients[${index}] (${client.id})`, purposes, fields, problems),
  );
  problems.push(...crossClientProblems(clients));
  if (problems.length > 0) throw new ClientsConfigError(source, problems);
  return { purposes, clients };
}

function buildClient(
  client: ClientDocument,
  where: string,
  purposes: ReadonlyMap<string, PurposeDefinition>,
  fieldIndex: ModelFieldIndex,
  problems: string[],
): RegisteredClient {
  if (client.id === DEMO_CLIENT_ID) {
    problems.push(`${where}.id: "${DEMO_CLIENT_ID}" is reserved for the local demo client`);
  }
  const admin = client.admin ?? false;

  const apiKeys: ApiKeyCredential[] = (client.apiKeys ?? []).map((key, i) => {
    const createdAt = key.createdAt ? new Date(key.createdAt) : undefined;
    const expiresAt = key.expiresAt ? new Date(key.expiresAt) : undefined;
    if (createdAt && expiresAt && expiresAt <= createdAt) {
      problems.push(`${where}.apiKeys[${i}] (${key.id}): expiresAt must be after createdAt`);
    }
    return Object.freeze({ id: key.id, sha256: key.sha256, createdAt, expiresAt });
  });
  const keyIds = apiKeys.map((key) => key.id);
  for (const id of duplicates(keyIds)) problems.push(`${where}.apiKeys: key id "${id}" appears twice`);

  const certificates: CertificateCredential[] = (client.certificates ?? []).map((certificate, i) => {
    const out: CertificateCredential = {};
    if (certificate.subject !== undefined) {
      try {
        out.subject = Object.freeze(parseDistinguishedName(certificate.subject));
        out.subjectText = certificate.subject;
      } catch (error) {
        problems.push(`${where}.certificates[${i}].subject: ${(error as Error).message}`);
      }
    }
    if (certificate.sha256Fingerprint !== undefined) {
      out.sha256Fingerprint = normaliseFingerprint(certificate.sha256Fingerprint);
    }
    return Object.freeze(out);
  });

  const services: Partial<Record<ServiceName, ServiceGrant>> = {};
  for (const [name, grant] of Object.entries(client.services) as [
    ServiceName,
    ClientDocument['services'][ServiceName],
  ][]) {
    if (!grant) continue;
    const at = `${where}.services["${name}"]`;
    const definition = SERVICES[name];
    if (definition.adminOnly && !admin) {
      problems.push(`${at}: only admin clients (admin: true) may be granted ${name}`);
    }
    for (const code of grant.purposes ?? []) {
      if (!purposes.has(code)) {
        problems.push(`${at}.purposes: "${code}" is not in the purpose catalogue (purposes:)`);
      }
    }
    const scope = grant.fields ?? '*';
    if (scope !== '*' && definition.model) {
      for (const path of scope) {
        if (!fieldIndex.has(definition.model, path)) {
          problems.push(
            `${at}.fields: "${path}" is not a field of the ${definition.model} model ` +
              `(contracts/schemas/${definition.model}.v1.json; its fields: ${fieldIndex.fieldsOf(definition.model).join(', ')})`,
          );
        }
      }
    }
    services[name] = Object.freeze({
      purposes: Object.freeze([...(grant.purposes ?? [])]),
      fields: scope === '*' ? '*' : Object.freeze([...scope]),
      allowStale: grant.allowStale ?? false,
    });
  }

  return Object.freeze({
    id: client.id,
    name: client.name,
    kind: client.kind,
    enabled: client.enabled,
    admin,
    agencies: Object.freeze([...(client.agencies ?? [])]),
    roles: Object.freeze([...(client.roles ?? [])]),
    ...(client.kafka ? { kafkaPrincipal: client.kafka.principal } : {}),
    ...(client.contact ? { contact: client.contact } : {}),
    apiKeys: Object.freeze(apiKeys),
    certificates: Object.freeze(certificates),
    rateLimit: Object.freeze({ ...client.rateLimit }),
    services: Object.freeze(services),
  });
}

/** Rules across clients: ids unique, and no credential that would identify two clients. */
export function crossClientProblems(clients: readonly RegisteredClient[]): string[] {
  const problems: string[] = [];
  for (const id of duplicates(clients.map((client) => client.id))) {
    problems.push(`client id "${id}" is used by more than one client`);
  }
  const keyOwners = new Map<string, string>();
  const fingerprintOwners = new Map<string, string>();
  const subjectOwners = new Map<string, string>();
  const claim = (owners: Map<string, string>, value: string, owner: string, what: string) => {
    const previous = owners.get(value);
    if (previous !== undefined && previous !== owner) {
      problems.push(`${what} is registered for both "${previous}" and "${owner}"`);
    } else if (previous === owner) {
      problems.push(`${what} is registered twice for "${owner}"`);
    }
    owners.set(value, owner);
  };
  for (const client of clients) {
    for (const key of client.apiKeys) {
      claim(keyOwners, key.sha256, client.id, `API key hash ${key.sha256.slice(0, 12)}… (key "${key.id}")`);
    }
    for (const certificate of client.certificates) {
      if (certificate.sha256Fingerprint) {
        claim(
          fingerprintOwners,
          certificate.sha256Fingerprint,
          client.id,
          `certificate ${certificate.sha256Fingerprint}`,
        );
      }
      if (certificate.subject && !certificate.sha256Fingerprint) {
        claim(
          subjectOwners,
          canonicalSubject(certificate.subject),
          client.id,
          `certificate subject "${certificate.subjectText}"`,
        );
      }
    }
  }
  return problems;
}

function canonicalSubject(subject: Readonly<Record<string, readonly string[]>>): string {
  return Object.keys(subject)
    .sort()
    .map((name) => `${name}=${[...subject[name]].sort().join('+')}`)
    .join(',');
}

function duplicates(values: readonly string[]): string[] {
  const seen = new Set<string>();
  const repeated = new Set<string>();
  for (const value of values) (seen.has(value) ? repeated : seen).add(value);
  return [...repeated];
}

function displayPath(path: string): string {
  const fromRoot = relative(repoRoot(), path);
  return fromRoot && !fromRoot.startsWith('..') && !isAbsolute(fromRoot) ? fromRoot : path;
}

// ---------------------------------------------------------------------------------------------------
// Schema errors in the words of the file: `clients[1] (bo-tu-phap).services["citizen.lookup"].fields[2]: ...`

function renderPath(pointer: string, document: unknown): string {
  let out = '';
  let node: unknown = document;
  for (const raw of pointer.split('/').slice(1)) {
    const segment = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(node) && /^\d+$/.test(segment)) {
      node = node[Number(segment)];
      const id = (node as { id?: unknown } | undefined)?.id;
      out += `[${segment}]${typeof id === 'string' ? ` (${id})` : ''}`;
    } else {
      node = (node as Record<string, unknown> | undefined)?.[segment];
      out += /^[A-Za-z_][A-Za-z0-9_]*$/.test(segment) ? `${out ? '.' : ''}${segment}` : `["${segment}"]`;
    }
  }
  return out || '(document)';
}

export function formatSchemaErrors(errors: readonly ErrorObject[], document: unknown): string[] {
  const messages: string[] = [];
  // anyOf over `required` alternatives: say "needs one of" once instead of one message per alternative.
  const anyOfPaths = errors.filter((error) => error.keyword === 'anyOf').map((error) => error.schemaPath);
  for (const error of errors) {
    const where = renderPath(error.instancePath, document);
    const params = error.params as Record<string, unknown>;
    const propertyName = (error as { propertyName?: string }).propertyName;
    switch (error.keyword) {
      case 'if':
      case 'propertyNames':
        continue;
      case 'anyOf': {
        const alternatives = ((error.schema as { title?: string; required?: string[] }[]) ?? []).map(
          (alternative) => alternative.title ?? alternative.required?.join(' + ') ?? 'an alternative',
        );
        messages.push(`${where}: needs at least one of ${alternatives.join(', ')}`);
        continue;
      }
      case 'required':
        if (anyOfPaths.some((path) => error.schemaPath.startsWith(`${path}/`))) continue;
        messages.push(`${where}: missing required property "${String(params.missingProperty)}"`);
        continue;
      case 'additionalProperties': {
        const known = Object.keys((error.parentSchema as { properties?: object })?.properties ?? {});
        messages.push(
          `${where}: unknown property "${String(params.additionalProperty)}"` +
            (known.length ? ` (allowed: ${known.join(', ')})` : ''),
        );
        continue;
      }
      case 'enum':
        messages.push(`${where}: must be one of ${(params.allowedValues as unknown[]).join(', ')}`);
        continue;
      case 'const':
        messages.push(`${where}: must be ${JSON.stringify(params.allowedValue)}`);
        continue;
      case 'pattern': {
        const title = (error.parentSchema as { title?: string } | undefined)?.title;
        const subject = propertyName !== undefined ? `property name "${propertyName}"` : 'value';
        messages.push(
          `${where}: ${subject} is not ${title ? `a valid ${title}` : 'in the expected form'} (${String(params.pattern)})`,
        );
        continue;
      }
      default:
        messages.push(`${where}: ${error.message ?? 'is not valid'}`);
    }
  }
  return [...new Set(messages)];
}
