import { EVENT_TYPES, schemaIdOf, type AuditCheckpoint, type AuditRecord } from '@lienthong/contracts';
import {
  Topic,
  createEvent,
  toKafkaMessage,
  type CloudEvent,
  type OutgoingMessage,
} from '@lienthong/messaging';

/** Where committed audit records go after the database (which stays the source of truth). */
export interface AuditPublisher {
  /** Resolves when every record is accepted downstream; rejects otherwise (the caller logs and counts). */
  publish(records: readonly AuditRecord[]): Promise<void>;
  /** Publishes a signed checkpoint of the chain head (lgsp.audit.checkpoint.v1); absent: not published. */
  publishCheckpoint?(checkpoint: AuditCheckpoint): Promise<void>;
}

/** The part of EventProducer the Kafka publisher needs; tests pass a recording fake. */
export interface AuditEventSender {
  send(topic: string, messages: OutgoingMessage[]): Promise<unknown>;
}

/** CloudEvents source of audit events unless configured otherwise. */
export const DEFAULT_AUDIT_EVENT_SOURCE = '/lienthong/gateway';

/** The CloudEvents envelope of one audit record: id = record id, subject and key = request id. */
export function auditEvent(
  record: AuditRecord,
  source = DEFAULT_AUDIT_EVENT_SOURCE,
): CloudEvent<AuditRecord> {
  return createEvent({
    type: EVENT_TYPES.auditLookup,
    source,
    id: record.id,
    subject: record.requestId,
    time: record.occurredAt,
    dataschema: schemaIdOf('audit-record'),
    requestId: record.requestId,
    data: record,
  });
}

/** The CloudEvents envelope of a checkpoint: id = `<key id prefix>-<seq>`, subject and key = key id. */
export function auditCheckpointEvent(
  checkpoint: AuditCheckpoint,
  source = DEFAULT_AUDIT_EVENT_SOURCE,
): CloudEvent<AuditCheckpoint> {
  return createEvent({
    type: EVENT_TYPES.auditCheckpoint,
    source,
    id: `${checkpoint.keyId.slice(0, 16)}-${checkpoint.seq}`,
    subject: checkpoint.keyId,
    time: checkpoint.createdAt,
    dataschema: schemaIdOf('audit-checkpoint'),
    data: checkpoint,
  });
}

/**
 * Publishes audit records to lgsp.audit.lookup.v1, keyed by request id, one send per batch, and
 * checkpoints to lgsp.audit.checkpoint.v1, keyed by the signing key id (one partition per key, in order).
 */
export class KafkaAuditPublisher implements AuditPublisher {
  constructor(
    private readonly sender: AuditEventSender,
    private readonly source = DEFAULT_AUDIT_EVENT_SOURCE,
  ) {}

  async publish(records: readonly AuditRecord[]): Promise<void> {
    if (records.length === 0) return;
    await this.sender.send(
      Topic.AuditLookup,
      records.map((record) => toKafkaMessage(auditEvent(record, this.source), record.requestId)),
    );
  }

  async publishCheckpoint(checkpoint: AuditCheckpoint): Promise<void> {
    await this.sender.send(Topic.AuditCheckpoint, [
      toKafkaMessage(auditCheckpointEvent(checkpoint, this.source), checkpoint.keyId),
    ]);
  }
}

/** Publishes nothing (publishing disabled, or no Kafka in this process). */
export class NoopAuditPublisher implements AuditPublisher {
  async publish(): Promise<void> {}
}
