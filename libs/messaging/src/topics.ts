/**
 * The topic registry: every topic Liên Thông produces or consumes, in one place.
 * Names follow `lgsp.<domain>.<event>.v<N>`; per-ministry copies append `.<ministry>`.
 * contracts/asyncapi.yaml documents the same topics for consumers outside the project.
 */
export const Topic = {
  /** Not a topic itself: the base of each producing client's inbound topic (`inboundTopic`). */
  DossierInbound: 'lgsp.dossier.inbound.v1',
  DossierStatus: 'lgsp.dossier.status.v1',
  DossierStatusRetry: 'lgsp.dossier.status-retry.v1',
  DossierUnrouted: 'lgsp.dossier.unrouted.v1',
  DeadLetter: 'lgsp.ops.deadletter.v1',
  AuditLookup: 'lgsp.audit.lookup.v1',
  AuditCheckpoint: 'lgsp.audit.checkpoint.v1',
  IndicatorReport: 'lgsp.indicator.report.v1',
  IndicatorReportRetry: 'lgsp.indicator.report-retry.v1',
  ChainEvents: 'lgsp.chain.events.v1',
  PaymentStatus: 'lgsp.payment.status.v1',
  DeliveryStatus: 'lgsp.delivery.status.v1',
  FeedbackItem: 'lgsp.feedback.item.v1',
  DossierHandover: 'lgsp.dossier.handover.v1',
} as const;

export type TopicName = (typeof Topic)[keyof typeof Topic];

export interface TopicDefinition {
  name: TopicName;
  description: string;
  /** What the record key holds; records with one key keep their order. */
  key: string;
  /** The contract of `data` inside the CloudEvents envelope (contracts/schemas), or raw bytes. */
  dataSchema:
    | 'dossier-status-event'
    | 'indicator-report'
    | 'audit-checkpoint'
    | 'chain-event'
    | 'payment-status'
    | 'delivery-status-event'
    | 'feedback-item'
    | 'dossier-handover'
    | 'raw';
  /** Retention in milliseconds; -1 keeps records forever. */
  retentionMs: number;
}

const DAY = 24 * 60 * 60 * 1000;

export const TOPICS: readonly TopicDefinition[] = [
  {
    name: Topic.DossierStatus,
    description: 'Validated canonical dossier status events, in order per dossier.',
    key: 'dossier code',
    dataSchema: 'dossier-status-event',
    retentionMs: 30 * DAY,
  },
  {
    name: Topic.DossierStatusRetry,
    description:
      'Dossier events whose delivery to an upstream failed transiently, waiting for a later attempt.',
    key: 'dossier code',
    dataSchema: 'dossier-status-event',
    retentionMs: 7 * DAY,
  },
  {
    name: Topic.DossierUnrouted,
    description:
      'Accepted dossier events whose procedure the catalogue cannot route to a ministry (UNKNOWN_PROCEDURE_POLICY=unrouted), for an operator to add the procedure and replay.',
    key: 'dossier code',
    dataSchema: 'dossier-status-event',
    retentionMs: 90 * DAY,
  },
  {
    name: Topic.DeadLetter,
    description:
      'Messages a consumer could not process (invalid payload, permanent rejection, retries exhausted), with the reason in headers.',
    key: 'the original key',
    dataSchema: 'raw',
    retentionMs: 90 * DAY,
  },
  {
    name: Topic.AuditLookup,
    description: 'One record per lookup of personal or enterprise data (who, what, why, outcome).',
    key: 'request id',
    // the audit record's contract is defined with the audit library
    dataSchema: 'raw',
    retentionMs: 30 * DAY,
  },
  {
    name: Topic.AuditCheckpoint,
    description:
      'Signed checkpoints of the audit chain head (seq, hash, genesis), a copy outside the database that reveals a cut or rewritten audit log.',
    key: 'signing key id',
    dataSchema: 'audit-checkpoint',
    // kept forever: `lienthong audit verify` compares the chain with the last one
    retentionMs: -1,
  },
  {
    name: Topic.IndicatorReport,
    description: 'Decision 766 indicator reports per agency and period.',
    key: '<agency code>:<period key>',
    dataSchema: 'indicator-report',
    retentionMs: 365 * DAY,
  },
  {
    name: Topic.IndicatorReportRetry,
    description:
      'Indicator reports whose delivery to the Government operations center failed transiently, waiting for a later attempt.',
    key: '<agency code>:<period key>',
    dataSchema: 'indicator-report',
    retentionMs: 7 * DAY,
  },
  {
    name: Topic.ChainEvents,
    description:
      'Transitions of procedure chains (started, each step sent, done, refused, retried, overdue; completed, stopped), in order per chain; the names of what a step produced, never the values.',
    key: 'parent dossier code',
    dataSchema: 'chain-event',
    retentionMs: 90 * DAY,
  },
  {
    name: Topic.PaymentStatus,
    description:
      'Outcomes of online payments of dossier fees at the national payment platform, as the gateway recorded them from the signed result notifications (one per outcome; replays publish nothing).',
    key: 'dossier code',
    dataSchema: 'payment-status',
    retentionMs: 365 * DAY,
  },
  {
    name: Topic.DeliveryStatus,
    description:
      "Tracking states of the postal delivery of dossier results (created, picked up, in transit, delivered, returned), in order per dossier; no receiver data. Read by the project's services only: no ministry is granted it.",
    key: 'dossier code',
    dataSchema: 'delivery-status-event',
    retentionMs: 90 * DAY,
  },
  {
    name: Topic.FeedbackItem,
    description:
      'Citizen feedback items routed to their competent agency, with the answer deadline; no contact or content (read them with GET /v1/feedback).',
    key: 'agency code',
    dataSchema: 'feedback-item',
    retentionMs: 90 * DAY,
  },
  {
    name: Topic.DossierHandover,
    description:
      'Hand-overs of non-boundary dossiers between agencies (handed over, accepted, refused, result returned), in order per competent agency; no personal data.',
    key: 'competent agency code',
    dataSchema: 'dossier-handover',
    retentionMs: 90 * DAY,
  },
];

export const TOPIC_NAME_PATTERN = /^lgsp\.[a-z]+\.[a-z-]+\.v[0-9]+(\.[a-z0-9-]+)?$/;

/** The per-ministry copy of the dossier status topic, e.g. `lgsp.dossier.status.v1.bo-tu-phap`. */
export function ministryTopic(ministry: string): string {
  const name = `${Topic.DossierStatus}.${ministry}`;
  if (!TOPIC_NAME_PATTERN.test(name)) throw new Error(`invalid ministry topic suffix: ${ministry}`);
  return name;
}

/**
 * The inbound topic of one producing client, e.g. `lgsp.dossier.inbound.v1.motcua-lao-cai`. Kafka does not
 * tell a consumer who produced a record, so each client that produces dossier events gets a topic of its
 * own that only its principal may write: the topic names the client, and its events pass the client's
 * agency scope like an HTTP post.
 */
export function inboundTopic(clientId: string): string {
  const name = `${Topic.DossierInbound}.${clientId}`;
  if (!TOPIC_NAME_PATTERN.test(name)) throw new Error(`invalid client id for an inbound topic: ${clientId}`);
  return name;
}
