import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { requestBodySchema } from '../request-body';

/** OpenAPI fragments of the lookup API. */

export const CITIZEN_LOOKUP_BODY = requestBodySchema('citizenLookup');
export const CITIZEN_VERIFY_BODY = requestBodySchema('citizenVerify');
export const ENTERPRISE_LOOKUP_BODY = requestBodySchema('enterpriseLookup');
export const LAND_LOOKUP_BODY = requestBodySchema('landLookup');
export const AUDIT_SUBJECTS_BODY = requestBodySchema('auditSubjects');

export function lookupResponse(model: string): SchemaObject {
  return {
    type: 'object',
    required: ['data', 'provenance', 'requestId'],
    properties: {
      data: {
        type: 'object',
        description: `The canonical ${model} record (contracts/schemas/${model}.v1.json) reduced to the client's field scope; its provenance is always kept.`,
      },
      provenance: {
        type: 'object',
        required: ['source', 'retrievedAt', 'validUntil', 'stale'],
        properties: {
          source: { type: 'string', example: 'CSDLQG_DAN_CU' },
          retrievedAt: { type: 'string', format: 'date-time', example: '2026-10-31T09:15:02+07:00' },
          validUntil: { type: 'string', format: 'date-time', example: '2026-11-01T09:15:02+07:00' },
          cache: {
            type: 'string',
            enum: ['HIT', 'MISS', 'STALE'],
            description: 'Absent when the answer is never cached (citizens/verify) or caching is off.',
          },
          stale: {
            type: 'boolean',
            description: 'True when a cached answer past validUntil was served because the upstream is down.',
          },
        },
      },
      requestId: { type: 'string', example: 'req-7f3c2a9e' },
    },
  };
}

export const AUDIT_SUBJECTS_RESPONSE: SchemaObject = {
  type: 'object',
  required: ['data', 'requestId'],
  properties: {
    data: {
      type: 'array',
      description: 'Newest first.',
      items: {
        type: 'object',
        properties: {
          occurredAt: { type: 'string', format: 'date-time' },
          clientId: { type: 'string' },
          credentialId: { type: 'string' },
          service: { type: 'string' },
          purpose: { type: 'string' },
          legalBasis: { type: 'string' },
          dossierCode: { type: 'string' },
          outcome: {
            type: 'string',
            enum: ['OK', 'NOT_FOUND', 'DENIED', 'INVALID', 'UPSTREAM_ERROR', 'STALE_SERVED', 'ERROR'],
          },
          outcomeCode: { type: 'string' },
          upstream: { type: 'string' },
          requestId: { type: 'string' },
          seq: { type: 'string' },
          match: {
            type: 'string',
            enum: ['SUBJECT', 'RELATED'],
            description: 'SUBJECT: looked up; RELATED: in the answer to another lookup',
          },
        },
      },
    },
    requestId: { type: 'string' },
  },
};

export const ADAPTER_HEALTH_RESPONSE: SchemaObject = {
  type: 'object',
  properties: {
    adapters: {
      type: 'array',
      items: {
        type: 'object',
        required: ['adapter', 'configured'],
        properties: {
          adapter: { type: 'string', enum: ['population', 'business-registry', 'land'] },
          configured: { type: 'boolean', description: 'False when the upstream URL is not set' },
          circuit: { type: 'string', enum: ['closed', 'half-open', 'open'] },
          recentLatencyMsP50: { type: 'number' },
          recentLatencyMsP99: { type: 'number' },
          errorRate: { type: 'number', minimum: 0, maximum: 1 },
          recentCalls: { type: 'integer' },
        },
      },
    },
  },
};
