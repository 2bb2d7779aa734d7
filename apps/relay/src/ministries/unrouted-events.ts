/**
 * UNKNOWN_PROCEDURE_POLICY as ministry routing applies it. With `unrouted`, an event whose procedure the
 * catalogue cannot route was accepted at ingest on purpose, and routing sets it aside on
 * `lgsp.dossier.unrouted.v1` (an operator adds the procedure and replays). With `refuse` (the default) ingest
 * already refused such events; one that still arrives (the catalogue changed, or an older gateway) is a
 * dead letter, UNKNOWN_PROCEDURE, replayable once the catalogue has it.
 */
export class UnroutedEvents {
  constructor(readonly policy: 'refuse' | 'unrouted' = 'refuse') {}

  get setAside(): boolean {
    return this.policy === 'unrouted';
  }
}
