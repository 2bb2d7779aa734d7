import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';

export const CALLBACK_PATH = '/v1/deliveries/callbacks';
const RAW = Symbol('postalCallbackBody');

/**
 * Keeps the exact bytes of the postal operator's callbacks: their signature covers the body as sent, which
 * the parsed JSON cannot reproduce. Other routes are untouched; the body limit still applies when parsed.
 */
export function captureCallbackBodies(fastify: FastifyInstance, limitBytes: number): void {
  fastify.addHook('preParsing', async (request, _reply, payload) => {
    if (request.method !== 'POST' || request.url.split('?')[0] !== CALLBACK_PATH) return payload;
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of payload) {
      const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
      size += buffer.length;
      if (size > limitBytes) break;
      chunks.push(buffer);
    }
    const raw = Buffer.concat(chunks);
    (request.raw as unknown as Record<symbol, string>)[RAW] = raw.toString('utf8');
    const replay = Readable.from([raw]) as Readable & { receivedEncodedLength?: number };
    replay.receivedEncodedLength = raw.length;
    return replay;
  });
}

/** The callback's body as received (empty when none). */
export function rawCallbackBody(request: FastifyRequest | { raw: unknown }): string {
  return ((request.raw as Record<symbol, string | undefined>)[RAW] ?? '') as string;
}
