import { Inject, Injectable, Optional } from '@nestjs/common';
import type { ReportingPeriod } from '@lienthong/contracts';
import {
  derivePortalDossierFacts,
  evaluationInstant,
  periodBounds,
  type PortalDossierFacts,
  type PortalIndicatorEvent,
} from '@lienthong/domain';
import { Database } from '@lienthong/storage';
import { INDICATOR_CLOCK, PAID_ONLINE_SOURCE, type PaidOnlineSource } from './indicator.store';

/** Audit services that read the National Population Database for a dossier (MDSH.5). */
export const POPULATION_SERVICES = ['citizen.lookup', 'citizen.verify'] as const;
/** The relay's audited portal call (CKMB.4). */
export const PORTAL_SYNC_SERVICE = 'portal.sync';

/*
 * The agency's dossiers that count in a period under the portal's rules: received in it, closed in it, or open
 * at its evaluation instant ($1 agency, $2 start, $3 end, $4 evaluation instant). indicator_dossier holds the
 * facts the relay derives (received_at, closed_at); the events behind them are in indicator_event.
 */
const DOSSIERS_SQL = `
SELECT d.dossier_code, s.procedure_code
FROM indicator_dossier d
LEFT JOIN dossier_state s ON s.dossier_code = d.dossier_code
WHERE d.agency_code = $1 AND (
  (d.received_at >= $2 AND d.received_at < $3)
  OR (d.closed_at >= $2 AND d.closed_at < $3)
  OR (d.received_at < $4 AND (d.closed_at IS NULL OR d.closed_at >= $4)))`;

const EVENTS_SQL = 'SELECT dossier_code, payload FROM indicator_event WHERE dossier_code = ANY($1::text[])';

const AUDIT_SQL = `
SELECT DISTINCT dossier_code, service FROM audit_record
WHERE dossier_code = ANY($1::text[]) AND outcome = 'OK' AND service = ANY($2::text[])`;

/** The dossiers with a payment the national payment platform confirmed (PAID_ONLINE_SOURCE=payment-platform). */
const CONFIRMED_PAYMENTS_SQL = `
SELECT DISTINCT dossier_code FROM payment WHERE dossier_code = ANY($1::text[]) AND status = 'CONFIRMED'`;

/**
 * What the portal's Decision 766 formulas (libs/domain portal-766.ts) need for one agency and period, from the
 * database the gateway and the relay share: the dossiers' status events as the relay's indicator consumer
 * applied them, their procedure (dossier_state), and two marks from the audit log — an OK portal.sync (the
 * dossier reached the portal) and an OK citizen lookup or verification (population data used).
 */
@Injectable()
export class PortalScoreRepository {
  private readonly clock: () => number;

  constructor(
    private readonly db: Database,
    @Optional() @Inject(INDICATOR_CLOCK) clock?: () => number,
    @Optional() @Inject(PAID_ONLINE_SOURCE) private readonly paidOnline: PaidOnlineSource = 'claims',
  ) {
    this.clock = clock ?? Date.now;
  }

  /** The wall clock that decides which period is running. */
  now(): number {
    return this.clock();
  }

  async facts(agencyCode: string, period: ReportingPeriod): Promise<PortalDossierFacts[]> {
    const { start, end } = periodBounds(period);
    const asOf = evaluationInstant(period, this.clock());
    const dossiers = await this.db.query<{ dossier_code: string; procedure_code: string | null }>(
      DOSSIERS_SQL,
      [agencyCode, start, end, asOf],
    );
    if (dossiers.length === 0) return [];
    const codes = dossiers.map((d) => d.dossier_code);
    const [events, audited, confirmed] = await Promise.all([
      this.db.query<{ dossier_code: string; payload: PortalIndicatorEvent }>(EVENTS_SQL, [codes]),
      this.db.query<{ dossier_code: string; service: string }>(AUDIT_SQL, [
        codes,
        [PORTAL_SYNC_SERVICE, ...POPULATION_SERVICES],
      ]),
      this.paidOnline === 'payment-platform'
        ? this.db
            .query<{ dossier_code: string }>(CONFIRMED_PAYMENTS_SQL, [codes])
            .then((rows) => new Set(rows.map((row) => row.dossier_code)))
        : undefined,
    ]);
    const eventsOf = new Map<string, PortalIndicatorEvent[]>();
    for (const row of events)
      eventsOf.set(row.dossier_code, [...(eventsOf.get(row.dossier_code) ?? []), row.payload]);
    const synced = new Set(
      audited.filter((a) => a.service === PORTAL_SYNC_SERVICE).map((a) => a.dossier_code),
    );
    const population = new Set(
      audited
        .filter((a) => (POPULATION_SERVICES as readonly string[]).includes(a.service))
        .map((a) => a.dossier_code),
    );
    const facts: PortalDossierFacts[] = [];
    for (const { dossier_code: code, procedure_code: procedureCode } of dossiers) {
      const derived = derivePortalDossierFacts(eventsOf.get(code) ?? [], {
        ...(procedureCode ? { procedureCode } : {}),
        syncedToPortal: synced.has(code),
        populationData: population.has(code),
        ...(confirmed ? { confirmedPayment: confirmed.has(code) } : {}),
      });
      if (derived) facts.push(derived);
    }
    return facts;
  }
}
