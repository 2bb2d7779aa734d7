import { EVENT_TYPES, schemaIdOf, type ChainEvent } from '@lienthong/contracts';
import { createEvent, Outbox, toKafkaMessage, Topic } from '@lienthong/messaging';
import type { Queryable } from '@lienthong/storage';
import type { ChainEventSink } from './chain-runner';

/**
 * Chain transitions to lgsp.chain.events.v1 through the transactional outbox: written in the transaction
 * that makes the transition, keyed by the parent dossier code (one partition per chain, in order), published
 * by the outbox's dispatcher once committed.
 */
export function outboxChainEvents(outbox: Outbox, source: string): ChainEventSink {
  return {
    write: (tx: Queryable, event: ChainEvent) =>
      outbox.enqueue(tx, Topic.ChainEvents, [
        toKafkaMessage(
          createEvent({
            type: EVENT_TYPES.chainEvent,
            source,
            subject: event.parentDossierCode,
            time: event.at,
            dataschema: schemaIdOf('chain-event'),
            data: event,
          }),
          event.parentDossierCode,
        ),
      ]),
    committed: () => outbox.committed(),
  };
}
