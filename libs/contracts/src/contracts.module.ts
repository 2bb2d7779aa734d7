import { Global, Inject, Injectable, Module } from '@nestjs/common';
import type { AnySchemaObject } from 'ajv/dist/2020';
import {
  SchemaRegistry,
  type SchemaDocumentName,
  type SchemaName,
  type SchemaTypes,
  type ValidationResult,
} from './schema-registry';

/** Injectable face of the schema registry for Nest providers (HTTP pipes, Kafka consumers, adapters). */
@Injectable()
export class ContractValidator {
  constructor(@Inject(SchemaRegistry) private readonly registry: SchemaRegistry) {}

  /** Validates a document; never throws for bad input. */
  validate<N extends SchemaName>(name: N, value: unknown): ValidationResult<SchemaTypes[N]> {
    return this.registry.validate(name, value);
  }

  /** Validates against a schema or subschema by URI (e.g. an event's dataschema). */
  validateById(id: string, value: unknown): ValidationResult<unknown> {
    return this.registry.validateById(id, value);
  }

  isValid<N extends SchemaName>(name: N, value: unknown): value is SchemaTypes[N] {
    return this.registry.isValid(name, value);
  }

  /** Returns the typed document or throws ContractViolationError (paths and codes only, no values). */
  assertValid<N extends SchemaName>(name: N, value: unknown): SchemaTypes[N] {
    return this.registry.assertValid(name, value);
  }

  /** The raw schema document, e.g. for OpenAPI. */
  schemaFor(name: SchemaDocumentName): Readonly<AnySchemaObject> {
    return this.registry.schemaFor(name);
  }

  schemaId(name: SchemaDocumentName): string {
    return this.registry.schemaId(name);
  }
}

/** Global module: import once (in the app module) and inject ContractValidator or SchemaRegistry anywhere. */
@Global()
@Module({
  providers: [{ provide: SchemaRegistry, useFactory: () => SchemaRegistry.shared() }, ContractValidator],
  exports: [SchemaRegistry, ContractValidator],
})
export class ContractsModule {}
