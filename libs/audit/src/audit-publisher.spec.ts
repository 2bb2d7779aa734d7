import type { OutgoingMessage } from '@lienthong/messaging';
import { EVENT_TYPES, SchemaRegistry, schemaIdOf, type AuditRecord } from '@lienthong/contracts';
import { Topic, decodeEvent, headerString } from '@lienthong/messaging';
import { GENESIS_HASH, buildUnsealedRecord, sealRecord } from './audit-record';
import { KafkaAuditPublisher } from './audit-publisher';
import { SubjectHasher } from './subject-hasher';
import { EXAMPLE_SUBJECT_KEY, lookupEntry, personalId } from './testing/audit-fixtures';

/** Implements EventProducer.send's signature and keeps what it was given. */
class FakeProducer {
  readonly sent: { topic: string; messages: OutgoingMessage[] }[] = [];
  fail = false;
  async send(topic: string, messages: OutgoingMessage[]): Promise<unknown[]> {
    if (this.fail) throw new Error('no broker reachable');
    this.sent.push({ topic, messages });
    return [];
  }
}

describe('KafkaAuditPublisher', () => {
  const hasher = new SubjectHasher(EXAMPLE_SUBJECT_KEY);
  const records: AuditRecord[] = [];
  let prev = GENESIS_HASH;
  for (let index = 1; index <= 3; index += 1) {
    const record = sealRecord(buildUnsealedRecord(lookupEntry(index), hasher), BigInt(index), prev);
    prev = record.hash;
    records.push(record);
  }

  it('sends one batch to lgsp.audit.lookup.v1, keyed by request id, as CloudEvents the contracts accept', async () => {
    const producer = new FakeProducer();
    await new KafkaAuditPublisher(producer, '/lienthong/gateway').publish(records);
    expect(producer.sent).toHaveLength(1);
    const [{ topic, messages }] = producer.sent;
    expect(topic).toBe(Topic.AuditLookup);
    expect(messages.map((message) => message.key)).toEqual(['req-test-1', 'req-test-2', 'req-test-3']);
    const registry = SchemaRegistry.shared();
    messages.forEach((message, index) => {
      expect(headerString(message.headers as Record<string, unknown>, 'x-request-id')).toBe(
        `req-test-${index + 1}`,
      );
      expect(headerString(message.headers as Record<string, unknown>, 'content-type')).toBe(
        'application/cloudevents+json',
      );
      const decoded = decodeEvent<AuditRecord>(message.value as string);
      expect(decoded.ok).toBe(true);
      if (!decoded.ok) return;
      expect(decoded.event).toEqual(
        expect.objectContaining({
          id: records[index].id,
          type: EVENT_TYPES.auditLookup,
          source: '/lienthong/gateway',
          subject: `req-test-${index + 1}`,
          time: records[index].occurredAt,
          dataschema: schemaIdOf('audit-record'),
          requestid: `req-test-${index + 1}`,
          data: records[index],
        }),
      );
      const data = registry.validate('audit-record', decoded.event.data);
      expect(data.ok ? [] : data.errors).toEqual([]);
      expect(String(message.value)).not.toContain(personalId(index + 1));
    });
  });

  it('rejects when the producer rejects, and sends nothing for an empty batch', async () => {
    const producer = new FakeProducer();
    await new KafkaAuditPublisher(producer).publish([]);
    expect(producer.sent).toEqual([]);
    producer.fail = true;
    await expect(new KafkaAuditPublisher(producer).publish(records)).rejects.toThrow(/no broker reachable/);
  });
});
