import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';

export const CALLBACK_PATH = '/v1/deliveries/callbacks';
const RAW = Symbol('postalCallbackBody');

/**
 * Keeps the exact bytes of the postal operator's callbacks: their signature covers the body as sent, which
 * the parsed JSON cannot reproduce. Other routes are untouched; the body limit still applies when parsed.
 */
export function captureCallbackBodies(fastify: FastifyInstance, limitBytes: number): void {
  // a callback hook: other requests pass through without a promise of their own
  fastify.addHook('preParsing', (request, _reply, payload, done) => {
    if (request.method !== 'POST' || request.url.split('?')[0] !== CALLBACK_PATH) return done(null, payload);
    capture(payload, limitBytes).then(
      ({ raw, replay }) => {
        (request.raw as unknown as Record<symbol, string>)[RAW] = raw;
        done(null, replay);
      },
      (error: Error) => done(error),
    );
  });
}

async function capture(payload: AsyncIterable<unknown>, limitBytes: number) {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of payload) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
    size += buffer.length;
    if (size > limitBytes) break;
    chunks.push(buffer);
  }
  const raw = Buffer.concat(chunks);
  const replay = Readable.from([raw]) as Readable & { receivedEncodedLength?: number };
  replay.receivedEncodedLength = raw.length;
  return { raw: raw.toString('utf8'), replay };
}

/** The callback's body as received (empty when none). */
export function rawCallbackBody(request: FastifyRequest | { raw: unknown }): string {
  return ((request.raw as Record<symbol, string | undefined>)[RAW] ?? '') as string;
}
