import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';

/** OpenAPI fragments of the lookup API (bodies are checked by hand in lookup-requests.ts). */

const CONTEXT_PROPERTIES: Record<string, SchemaObject> = {
  purpose: {
    type: 'string',
    description:
      "Why the data is needed: a purpose code of the catalogue in clients.yaml that the client's grant for this service allows.",
    example: 'DOSSIER_PROCESSING',
  },
  dossierCode: {
    type: 'string',
    description: 'The dossier the lookup serves (required by purposes that serve a dossier).',
    example: '000.17.22.H56-261031-0007',
  },
};

export const CITIZEN_LOOKUP_BODY: SchemaObject = {
  type: 'object',
  required: ['personalId', 'purpose'],
  additionalProperties: false,
  properties: {
    personalId: { type: 'string', pattern: '^[0-9]{12}$', example: '001090012345' },
    ...CONTEXT_PROPERTIES,
  },
};

export const CITIZEN_VERIFY_BODY: SchemaObject = {
  type: 'object',
  required: ['personalId', 'purpose'],
  additionalProperties: false,
  description:
    'At least one of fullName and dateOfBirth; each must be in the client’s field scope for citizen.verify.',
  properties: {
    personalId: { type: 'string', pattern: '^[0-9]{12}$', example: '001090012345' },
    fullName: { type: 'string', maxLength: 200, example: 'Nguyễn Văn An' },
    dateOfBirth: { type: 'string', description: 'YYYY-MM-DD, YYYY-MM or YYYY', example: '1990-05-17' },
    ...CONTEXT_PROPERTIES,
  },
};

export const ENTERPRISE_LOOKUP_BODY: SchemaObject = {
  type: 'object',
  required: ['enterpriseCode', 'purpose'],
  additionalProperties: false,
  properties: {
    enterpriseCode: {
      type: 'string',
      description: '10-digit enterprise code, or a dependent unit: 10 digits, a dash and 3 digits',
      example: '0314409058',
    },
    ...CONTEXT_PROPERTIES,
  },
};

export const LAND_LOOKUP_BODY: SchemaObject = {
  type: 'object',
  required: ['purpose'],
  additionalProperties: false,
  description: 'Either communeCode, mapSheetNo and parcelNo (the cadastral key), or certificateNo.',
  properties: {
    communeCode: { type: 'string', pattern: '^[0-9]{5}$', example: '26734' },
    mapSheetNo: { type: 'string', description: 'Map sheet number (số tờ bản đồ)', example: '12' },
    parcelNo: { type: 'string', description: 'Parcel number on the sheet (số thửa)', example: '345' },
    certificateNo: {
      type: 'string',
      description: 'Issue number of a land-use certificate (số phát hành)',
      example: 'CS 123456',
    },
    ...CONTEXT_PROPERTIES,
  },
};

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

export const AUDIT_SUBJECTS_BODY: SchemaObject = {
  type: 'object',
  required: ['purpose'],
  additionalProperties: false,
  description: 'Exactly one of personalId and enterpriseCode.',
  properties: {
    personalId: { type: 'string', pattern: '^[0-9]{12}$', example: '001090012345' },
    enterpriseCode: { type: 'string', example: '0314409058' },
    purpose: { type: 'string', example: 'DATA_SUBJECT_REQUEST' },
    from: { type: 'string', description: 'YYYY-MM-DD (Vietnam time) or RFC 3339; inclusive' },
    to: { type: 'string', description: 'YYYY-MM-DD (Vietnam time) or RFC 3339; exclusive' },
    limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
  },
};

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
