import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { OpenAPIObject } from '@nestjs/swagger';
import { repoRoot } from '@lienthong/config';
import { gatewayOpenApiDocument, OPENAPI_CONTRACT_PATH, renderOpenApi } from './openapi-document';

// contracts/openapi.json is the gateway's own document (what /docs/json serves), committed so that
// consumers and CI read it without starting anything. Needs no broker and no database server.

const root = repoRoot(__dirname);
const committedFile = join(root, OPENAPI_CONTRACT_PATH);
const run = promisify(execFile);

/** Runs scripts/validate-openapi.mjs on a file; its verdict, whatever the exit status. */
async function validateOpenApi(file: string): Promise<{ valid: boolean; errors?: unknown[] }> {
  const result = await run(process.execPath, [join(root, 'scripts', 'validate-openapi.mjs'), file]).catch(
    (error: { stdout?: string }) => ({ stdout: error.stdout ?? '' }),
  );
  return JSON.parse(result.stdout) as { valid: boolean; errors?: unknown[] };
}

function refsIn(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) node.forEach((child) => refsIn(child, out));
  else if (node && typeof node === 'object') {
    for (const [key, value] of Object.entries(node as Record<string, unknown>)) {
      if (key === '$ref' && typeof value === 'string') out.push(value);
      else refsIn(value, out);
    }
  }
  return out;
}

describe('contracts/openapi.json', () => {
  let built: OpenAPIObject;
  const committed = readFileSync(committedFile, 'utf8');

  beforeAll(async () => {
    built = await gatewayOpenApiDocument();
  }, 180_000);

  it('is the document the gateway builds from its routes (regenerate with npm run contracts)', () => {
    expect(JSON.parse(committed)).toEqual(JSON.parse(JSON.stringify(built)));
    expect(committed).toBe(renderOpenApi(built));
  });

  it('documents the public API', () => {
    expect(built.openapi).toMatch(/^3\./);
    expect(Object.keys(built.paths)).toEqual(
      expect.arrayContaining([
        '/v1/citizens/lookup',
        '/v1/enterprises/lookup',
        '/v1/land-parcels/lookup',
        '/v1/dossier-events',
        '/v1/documents/search',
        '/v1/indicators',
      ]),
    );
  });

  it('references only its own components, so nothing is fetched to read it', () => {
    const refs = refsIn(JSON.parse(committed));
    expect(refs.filter((ref) => !ref.startsWith('#/'))).toEqual([]);
    expect(committed).not.toMatch(/lienthong\.gov\.vn/);
  });

  it('validates against the OpenAPI specification with an independent validator, offline', async () => {
    expect(await validateOpenApi(committedFile)).toEqual({ valid: true });
  }, 60_000);

  it('has a validator that refuses a document breaking the specification', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lgsp-openapi-'));
    try {
      const broken = JSON.parse(committed) as Record<string, Record<string, unknown>>;
      broken.paths['/v1/citizens/lookup'] = { post: { responses: { ok: {} } } };
      const file = join(dir, 'openapi.json');
      writeFileSync(file, JSON.stringify(broken));
      const verdict = await validateOpenApi(file);
      expect(verdict.valid).toBe(false);
      expect(JSON.stringify(verdict.errors)).toContain('/paths/~1v1~1citizens~1lookup/post/responses');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
