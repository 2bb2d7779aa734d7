import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openApiSchema } from './openapi-schema';
import { SchemaRegistry, contractsDir, schemaIdOf } from './schema-registry';

const BODIES = `${schemaIdOf('request-body')}#/$defs/`;

describe('openApiSchema', () => {
  it('gives a lookup body with every reference replaced by what it names', () => {
    const body = openApiSchema(`${BODIES}citizenLookup`);
    expect(JSON.stringify(body)).not.toContain('$ref');
    expect(body).toMatchObject({
      type: 'object',
      required: ['personalId', 'purpose'],
      additionalProperties: false,
      example: { personalId: '001090012345', purpose: 'DOSSIER_PROCESSING' },
    });
    // allOf [text, common personalId] merged: the length bound of one, the pattern of the other
    expect((body.properties as Record<string, unknown>).personalId).toEqual({
      type: 'string',
      maxLength: 300,
      pattern: '^[0-9]{12}$',
      title: 'personal ID number',
      description: "The citizen's 12-digit personal ID.",
      example: '001090012345',
    });
  });

  it('writes const as a one-value enum and keeps anyOf', () => {
    const dossierCode = openApiSchema(`${BODIES}dossierCode`);
    expect(dossierCode.anyOf).toEqual([
      { enum: [''] },
      expect.objectContaining({ type: 'string', pattern: expect.stringContaining('[0-9]{4}$') }),
    ]);
    expect(dossierCode).not.toHaveProperty('const');
    expect(dossierCode).not.toHaveProperty('examples');
  });

  it('leaves out what OpenAPI 3.0 has no keyword for', () => {
    const application = (openApiSchema(`${BODIES}chainStart`).properties as Record<string, object>)
      .application;
    expect(application).toEqual({
      title: 'application fields',
      description: expect.stringContaining('dotted field name'),
      type: 'object',
      additionalProperties: { type: 'string', maxLength: 500 },
      example: expect.any(Object),
    });
  });

  it('keeps an allOf whose members constrain the same keyword differently', () => {
    const dir = mkdtempSync(join(tmpdir(), 'openapi-schema-'));
    try {
      cpSync(join(contractsDir(), 'schemas'), dir, { recursive: true });
      const document = {
        $schema: 'https://json-schema.org/draft/2020-12/schema',
        $id: schemaIdOf('request-body'),
        title: 'test',
        description: 'test',
        $defs: {
          both: {
            allOf: [
              { type: 'string', pattern: '^a' },
              { type: 'string', pattern: 'b$' },
            ],
          },
        },
      };
      writeFileSync(join(dir, 'request-body.v1.json'), JSON.stringify(document));
      const registry = new SchemaRegistry({ schemaDir: dir });
      expect(openApiSchema(`${BODIES}both`, registry)).toEqual({
        allOf: [
          { type: 'string', pattern: '^a' },
          { type: 'string', pattern: 'b$' },
        ],
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses an identifier outside the contracts', () => {
    expect(() => openApiSchema('https://example.org/schema.json')).toThrow('not a contract schema');
    expect(() => openApiSchema(`${BODIES}nothing`)).toThrow('names no schema');
  });
});
