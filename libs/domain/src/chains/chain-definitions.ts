import Ajv2020, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020';
import { configSchema } from '@lienthong/contracts';
import type { ProcedureCatalogue } from '../catalogue/procedure-catalogue';

export type Confidence = 'confirmed' | 'assumed';
export type NationalSource = 'population' | 'business-registry' | 'land';
export const NATIONAL_SOURCES: readonly NationalSource[] = ['population', 'business-registry', 'land'];

export interface Text {
  vi: string;
  en: string;
}

export interface AgencySystem {
  slug: string;
  name: Text;
  /** The ministry (procedure catalogue slug) that runs the system. */
  ministry: string;
  interface: 'civil-status-v1' | 'residence-v1' | 'social-security-v1';
  confidence?: Confidence;
}

/** Where a need is met: the application, an earlier step (by id), or a national database. */
export type NeedSource =
  { kind: 'application' } | { kind: 'step'; step: string } | { kind: 'national'; source: NationalSource };

export interface StepNeed {
  from: NeedSource;
  fields: readonly string[];
}

export interface TimeLimit {
  workingDays?: number;
  hours?: number;
  confidence?: Confidence;
  source?: string;
}

export type RefusalPolicy =
  { action: 'stop' } | { action: 'continue' } | { action: 'compensate'; compensate: readonly string[] };

export interface ChainStep {
  id: string;
  /** Position in the chain, from 0. */
  index: number;
  name: Text;
  system: AgencySystem;
  procedureCode?: string;
  needs: readonly StepNeed[];
  produces: readonly string[];
  timeLimit: TimeLimit;
  onRefused: RefusalPolicy;
  confidence?: Confidence;
  note?: string;
}

export interface ChainDefinition {
  slug: string;
  name: Text;
  legalBasis: string;
  applicationFields: readonly string[];
  steps: readonly ChainStep[];
  confidence?: Confidence;
  note?: string;
}

export interface ChainDefinitions {
  systems: ReadonlyMap<string, AgencySystem>;
  chains: ReadonlyMap<string, ChainDefinition>;
}

/** The chains.yaml document as contracts/config/chains.schema.json describes it. */
interface ChainsDocument {
  version: 1;
  systems: Record<string, Omit<AgencySystem, 'slug'>>;
  chains: Record<
    string,
    {
      name: Text;
      legalBasis: string;
      application: { fields: string[] };
      steps: {
        id: string;
        name: Text;
        system: string;
        procedureCode?: string;
        needs: { from: string; fields: string[] }[];
        produces: string[];
        timeLimit: TimeLimit;
        onRefused: { action: RefusalPolicy['action']; compensate?: string[] };
        confidence?: Confidence;
        note?: string;
      }[];
      confidence?: Confidence;
      note?: string;
    }
  >;
}

export class ChainDefinitionError extends Error {
  override readonly name = 'ChainDefinitionError';

  constructor(
    readonly source: string,
    readonly problems: readonly string[],
  ) {
    super(`${source}:\n  - ${problems.join('\n  - ')}`);
  }
}

let validator: ValidateFunction | undefined;

function schemaValidator(): ValidateFunction {
  if (!validator) {
    validator = new Ajv2020({ allErrors: true, strict: true, strictRequired: false }).compile(
      configSchema('chains'),
    );
  }
  return validator;
}

function schemaProblems(errors: readonly ErrorObject[]): string[] {
  const paths = (keyword: string) =>
    new Set(errors.filter((e) => e.keyword !== keyword).map((e) => e.instancePath));
  const explained = paths('oneOf');
  return (
    errors
      // an if/then failure repeats what its branch said; a oneOf failure too, unless nothing else said it
      .filter((error) => error.keyword !== 'if')
      .filter((error) => error.keyword !== 'oneOf' || !explained.has(error.instancePath))
      .map((error) => {
        const where = error.instancePath || '/';
        const extra =
          error.keyword === 'additionalProperties'
            ? ` "${(error.params as { additionalProperty: string }).additionalProperty}"`
            : error.keyword === 'enum'
              ? ` (${(error.params as { allowedValues: unknown[] }).allowedValues.join(', ')})`
              : '';
        return `${where} ${error.message ?? error.keyword}${extra}`;
      })
      .filter((problem, index, all) => all.indexOf(problem) === index)
  );
}

function needSource(from: string): NeedSource {
  if (from === 'application') return { kind: 'application' };
  if (from.startsWith('step:')) return { kind: 'step', step: from.slice('step:'.length) };
  return { kind: 'national', source: from as NationalSource };
}

/**
 * Validates a parsed chains document (chains.yaml, read by `readConfigDocument` of @lienthong/config)
 * against contracts/config/chains.schema.json, then the rules a schema cannot express, and builds the
 * runtime form. Every problem is listed at once. With a catalogue, a step's
 * procedure must be one the catalogue knows and a system's ministry one it names.
 */
export function parseChainDefinitions(
  document: unknown,
  options: { source?: string; catalogue?: ProcedureCatalogue } = {},
): ChainDefinitions {
  const source = options.source ?? 'chain definitions';
  const validate = schemaValidator();
  if (!validate(document)) throw new ChainDefinitionError(source, schemaProblems(validate.errors ?? []));
  const doc = document as ChainsDocument;
  const problems: string[] = [];
  const ministries = options.catalogue ? new Set(options.catalogue.ministries()) : undefined;

  const systems = new Map<string, AgencySystem>();
  for (const [slug, system] of Object.entries(doc.systems)) {
    if (ministries && !ministries.has(system.ministry)) {
      problems.push(`system ${slug}: ministry "${system.ministry}" is not in the procedure catalogue`);
    }
    systems.set(slug, { slug, ...system });
  }

  const chains = new Map<string, ChainDefinition>();
  for (const [slug, chain] of Object.entries(doc.chains)) {
    const application = new Set(chain.application.fields);
    const earlier = new Map<string, ChainStep>();
    const used = new Set<string>();
    const steps: ChainStep[] = [];
    chain.steps.forEach((step, index) => {
      const where = `chain ${slug}, step ${step.id}`;
      if (earlier.has(step.id) || steps.some((s) => s.id === step.id)) {
        problems.push(`${where}: the id is used twice`);
      }
      const system = systems.get(step.system);
      if (!system) problems.push(`${where}: unknown system "${step.system}"`);
      if (
        options.catalogue &&
        step.procedureCode &&
        !options.catalogue.route({ procedureCode: step.procedureCode })
      ) {
        problems.push(`${where}: procedure ${step.procedureCode} is not in the procedure catalogue`);
      }
      const needs = step.needs.map((need) => ({ from: needSource(need.from), fields: need.fields }));
      for (const need of needs) {
        if (need.from.kind === 'application') {
          for (const field of need.fields) {
            if (application.has(field)) used.add(field);
            else problems.push(`${where}: needs ${field} from the application, which does not ask for it`);
          }
        } else if (need.from.kind === 'step') {
          const provider = earlier.get(need.from.step);
          if (!provider) {
            problems.push(`${where}: needs the result of "${need.from.step}", which is not an earlier step`);
            continue;
          }
          for (const field of need.fields) {
            if (!provider.produces.includes(field)) {
              problems.push(`${where}: needs ${field} from step ${provider.id}, which does not produce it`);
            }
          }
          // a step that may be skipped cannot feed a later one
          if (provider.onRefused.action === 'continue') {
            problems.push(
              `${where}: needs the result of ${provider.id}, which the chain skips when refused (onRefused: continue)`,
            );
          }
        }
      }
      const onRefused: RefusalPolicy =
        step.onRefused.action === 'compensate'
          ? { action: 'compensate', compensate: step.onRefused.compensate ?? [] }
          : { action: step.onRefused.action };
      if (onRefused.action === 'compensate') {
        for (const target of onRefused.compensate) {
          if (!earlier.has(target))
            problems.push(`${where}: compensates "${target}", which is not an earlier step`);
        }
      }
      const built: ChainStep = {
        id: step.id,
        index,
        name: step.name,
        system: system as AgencySystem,
        ...(step.procedureCode ? { procedureCode: step.procedureCode } : {}),
        needs,
        produces: step.produces,
        timeLimit: step.timeLimit,
        onRefused,
        ...(step.confidence ? { confidence: step.confidence } : {}),
        ...(step.note ? { note: step.note } : {}),
      };
      steps.push(built);
      earlier.set(step.id, built);
    });
    for (const field of application) {
      if (!used.has(field))
        problems.push(`chain ${slug}: the application asks for ${field}, which no step needs`);
    }
    chains.set(slug, {
      slug,
      name: chain.name,
      legalBasis: chain.legalBasis,
      applicationFields: chain.application.fields,
      steps,
      ...(chain.confidence ? { confidence: chain.confidence } : {}),
      ...(chain.note ? { note: chain.note } : {}),
    });
  }
  if (problems.length) throw new ChainDefinitionError(source, problems);
  return { systems, chains };
}
