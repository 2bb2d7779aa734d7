import { ProcedureCatalogue } from '@lienthong/domain';

/** UNKNOWN_PROCEDURE_POLICY: refuse an event the catalogue cannot route, or accept it for the unrouted topic. */
export type UnknownProcedurePolicy = 'refuse' | 'unrouted';

/**
 * What ingest knows of routing: the procedure catalogue the relay routes with, and what to do with an event
 * it cannot route. Refusing at ingest means a one-stop system hears of an unknown procedure in the answer
 * to its post, instead of a 202 followed by a dead letter it never sees.
 */
export class IngestRouting {
  constructor(
    readonly catalogue: ProcedureCatalogue,
    readonly unknownProcedures: UnknownProcedurePolicy = 'refuse',
  ) {}

  /** Whether the event must be refused: its procedure (or sector) routes nowhere and the policy refuses. */
  refuses(event: { procedureCode: string; sectorCode?: string }): boolean {
    return this.unknownProcedures === 'refuse' && !this.catalogue.route(event);
  }
}
