import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fromFile, Parser } from '@asyncapi/parser';
import { load } from 'js-yaml';
import { contractsDir, schemaIdOf } from './schema-registry';
import { RetryHeader } from '@lienthong/messaging';

// contracts/asyncapi.yaml: parses, names the expected topics with the naming convention, and every
// $ref it makes resolves (local pointers inside the document, files relative to it, with fragments).
// The official AsyncAPI parser must accept it offline: a consumer's tooling sees what it sees.

type Node = Record<string, unknown>;

const file = join(contractsDir(), 'asyncapi.yaml');
const document = load(readFileSync(file, 'utf8')) as Node;

/**
 * `lgsp.<domain>.<event>.v<N>`, optionally `.{ministry}`, `.{client}` or `.<suffix>` after the version. The
 * delayed-retry topic of an event stream is an event of its own (lgsp.dossier.status-retry.v1).
 */
const CHANNEL_ADDRESS = /^lgsp\.[a-z]+\.[a-z-]+\.v[0-9]+(\.\{ministry\}|\.\{client\}|\.[a-z-]+)?$/;

const EXPECTED_TOPICS = [
  'lgsp.dossier.inbound.v1.{client}',
  'lgsp.dossier.status.v1',
  'lgsp.dossier.status.v1.{ministry}',
  'lgsp.dossier.status-retry.v1',
  'lgsp.ops.deadletter.v1',
  'lgsp.dossier.unrouted.v1',
  'lgsp.audit.lookup.v1',
  'lgsp.audit.checkpoint.v1',
  'lgsp.indicator.report.v1',
  'lgsp.indicator.report-retry.v1',
  'lgsp.chain.events.v1',
  'lgsp.payment.status.v1',
  'lgsp.delivery.status.v1',
  'lgsp.feedback.item.v1',
  'lgsp.dossier.handover.v1',
];

function pointerGet(root: unknown, pointer: string): unknown {
  let node = root;
  for (const raw of pointer.split('/').slice(1)) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Node)[raw.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return node;
}

function refsIn(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) node.forEach((child) => refsIn(child, out));
  else if (node && typeof node === 'object') {
    for (const [key, value] of Object.entries(node as Node)) {
      if (key === '$ref' && typeof value === 'string') out.push(value);
      else refsIn(value, out);
    }
  }
  return out;
}

/**
 * An AsyncAPI parser whose http and https readers record the address instead of fetching it, so a
 * reference that leaves the repository fails the test (and never waits on the network).
 */
function offlineParser(): { parser: Parser; fetched: string[] } {
  const fetched: string[] = [];
  const refuse = (schema: 'http' | 'https') => ({
    schema,
    order: 1,
    read: (uri: { toString(): string }) => {
      fetched.push(uri.toString());
      return '{}';
    },
  });
  return {
    parser: new Parser({ __unstable: { resolver: { resolvers: [refuse('http'), refuse('https')] } } }),
    fetched,
  };
}

describe('contracts/asyncapi.yaml with the official AsyncAPI parser', () => {
  it('parses with no error diagnostic, resolving every schema from the files, without the network', async () => {
    const { parser, fetched } = offlineParser();
    const { document: parsed, diagnostics } = await fromFile(parser, file).parse();
    expect(diagnostics.filter((diagnostic) => diagnostic.severity === 0)).toEqual([]);
    expect(fetched).toEqual([]);
    expect(parsed).toBeDefined();
    expect(
      parsed!
        .channels()
        .all()
        .map((channel) => channel.address())
        .sort(),
    ).toEqual([...EXPECTED_TOPICS].sort());
    // The file reference in the message was followed to the schema, and that schema's own file-name
    // references (to the dossier-status and common schemas) were resolved beside it.
    const message = parsed!.components().messages().get('ministryDossierStatusEvent');
    const data = message?.payload()?.allOf()?.[1]?.properties()?.data;
    expect(data?.id()).toBe(schemaIdOf('ministry-dossier-status-event'));
    expect(data?.properties()?.eventId?.format()).toBe('uuid');
    expect(message?.bindings().get('kafka')?.value()).toMatchObject({
      key: { pattern: expect.any(String) },
    });
  });

  it('has its reader guard notice a reference that would leave the repository', async () => {
    const { parser, fetched } = offlineParser();
    await parser.parse(
      'asyncapi: 3.0.0\ninfo: { title: t, version: "1" }\ncomponents:\n  schemas:\n    remote:\n      $ref: "https://example.invalid/remote.json"\n',
    );
    expect(fetched).toEqual(['https://example.invalid/remote.json']);
  });
});

describe('contracts/asyncapi.yaml', () => {
  const channels = document.channels as Record<string, Node>;

  it('is an AsyncAPI 3.0 document with the local Kafka server', () => {
    expect(document.asyncapi).toBe('3.0.0');
    expect(document.defaultContentType).toBe('application/cloudevents+json');
    expect((document.servers as Node).local).toMatchObject({ host: '127.0.0.1:9092', protocol: 'kafka' });
  });

  it('lists exactly the Liên Thông topics', () => {
    expect(
      Object.values(channels)
        .map((channel) => channel.address)
        .sort(),
    ).toEqual([...EXPECTED_TOPICS].sort());
  });

  it.each(Object.entries(channels).map(([id, channel]) => [id, channel]))(
    'channel %s follows the topic naming convention and documents key and payload',
    (_id, channel) => {
      expect(channel.address).toMatch(CHANNEL_ADDRESS);
      expect(typeof channel.description).toBe('string');
      expect(channel.description).toMatch(/\bkey\b/i);
      const messages = Object.values(channel.messages as Record<string, Node>);
      expect(messages.length).toBeGreaterThan(0);
      for (const ref of messages) {
        const message = pointerGet(document, String(ref.$ref).slice(1)) as Node;
        expect(message).toBeDefined();
        expect(message.payload).toBeDefined();
        expect(((message.bindings as Node).kafka as Node).key).toBeDefined();
      }
    },
  );

  it('declares the ministry and client parameters wherever the address uses them', () => {
    for (const channel of Object.values(channels)) {
      const used = [...String(channel.address).matchAll(/\{([a-z]+)\}/g)].map((match) => match[1]);
      expect(Object.keys((channel.parameters as Node | undefined) ?? {}).sort()).toEqual(used.sort());
    }
  });

  it('carries content-type, x-request-id and traceparent headers on CloudEvents messages', () => {
    const headers = ((document.components as Node).schemas as Node).eventHeaders as Node;
    expect(Object.keys(headers.properties as Node).sort()).toEqual([
      'content-type',
      'traceparent',
      'x-request-id',
    ]);
    expect(((headers.properties as Node)['content-type'] as Node).const).toBe('application/cloudevents+json');
  });

  it('documents the dead-letter headers', () => {
    const headers = ((document.components as Node).schemas as Node).deadLetterHeaders as Node;
    expect([...(headers.required as string[])].sort()).toEqual(
      [
        'lgsp-dlq-reason',
        'lgsp-dlq-code',
        'lgsp-source-topic',
        'lgsp-source-partition',
        'lgsp-source-offset',
        'lgsp-failed-at',
        'lgsp-attempts',
        'lgsp-consumer-group',
      ].sort(),
    );
  });

  it('documents the retry headers the parked-retry consumers read and write', () => {
    const headers = ((document.components as Node).schemas as Node).retryHeaders as Node;
    const own = (headers.allOf as Node[])[1].properties as Node;
    expect(Object.keys(own).sort()).toEqual(Object.values(RetryHeader).sort());
  });

  it('points every operation at a channel and at messages of that channel', () => {
    for (const [id, operation] of Object.entries(document.operations as Record<string, Node>)) {
      expect({ id, action: operation.action }).toEqual({
        id,
        action: expect.stringMatching(/^(send|receive)$/),
      });
      const channelRef = String((operation.channel as Node).$ref);
      expect(pointerGet(document, channelRef.slice(1))).toBeDefined();
      for (const message of operation.messages as Node[]) {
        expect(String(message.$ref).startsWith(`${channelRef}/messages/`)).toBe(true);
      }
    }
  });

  it('resolves every $ref: local pointers, and schema files (with fragments) relative to the document', () => {
    const refs = refsIn(document);
    expect(refs.some((ref) => ref.startsWith('./schemas/'))).toBe(true);
    const unresolved: string[] = [];
    for (const ref of refs) {
      const [path, fragment = ''] = ref.split('#');
      if (path === '') {
        if (pointerGet(document, fragment) === undefined) unresolved.push(ref);
        continue;
      }
      const target = resolve(dirname(file), path);
      if (!existsSync(target)) {
        unresolved.push(ref);
        continue;
      }
      if (fragment && pointerGet(JSON.parse(readFileSync(target, 'utf8')), fragment) === undefined) {
        unresolved.push(ref);
      }
    }
    expect(unresolved).toEqual([]);
  });

  it('binds every data schema file to its envelope and the envelope to each CloudEvents message', () => {
    const messages = (document.components as Node).messages as Record<string, Node>;
    const dataRefs: Record<string, string[]> = {};
    for (const [name, message] of Object.entries(messages)) {
      if (message.contentType !== 'application/cloudevents+json') continue;
      const refs = refsIn(message.payload);
      expect(refs).toContain('./schemas/envelope.v1.json');
      dataRefs[name] = refs.filter((ref) => ref !== './schemas/envelope.v1.json');
    }
    expect(dataRefs).toEqual({
      dossierStatusEvent: ['./schemas/dossier-status-event.v1.json'],
      ministryDossierStatusEvent: ['./schemas/ministry-dossier-status-event.v1.json'],
      dossierStatusRetry: ['./schemas/dossier-status-event.v1.json'],
      auditLookup: ['#/components/schemas/auditLookupData'],
      auditCheckpoint: ['./schemas/audit-checkpoint.v1.json'],
      chainEvent: ['./schemas/chain-event.v1.json'],
      indicatorReport: ['./schemas/indicator-report.v1.json'],
      indicatorReportRetry: ['./schemas/indicator-report.v1.json'],
      paymentStatus: ['./schemas/payment-status.v1.json'],
      deliveryStatus: ['./schemas/delivery-status-event.v1.json'],
      feedbackItem: ['./schemas/feedback-item.v1.json'],
      dossierHandover: ['./schemas/dossier-handover.v1.json'],
    });
  });
});
