import { Injectable } from '@nestjs/common';
import type { HandoverState } from '@lienthong/contracts';
import { Database, type Queryable } from '@lienthong/storage';

/** A dossier's latest hand-over as `dossier_handover` keeps it. */
export interface HandoverRow {
  dossier_code: string;
  procedure_code: string;
  receiving_agency: string;
  competent_agency: string;
  state: HandoverState;
  handed_over_at: Date;
  decided_at: Date | null;
  reason: string | null;
  result_returned_at: Date | null;
}

/** One agency's non-boundary intake in a period (GET /v1/indicators/handovers). */
export interface HandoverCounts {
  /** Dossiers the agency received for another agency and handed over. */
  handedOver: number;
  /** Dossiers other agencies received and handed over to it. */
  received: number;
  accepted: number;
  refused: number;
  /** Results it returned to the receiving agency. */
  resultsReturned: number;
}

/**
 * Non-boundary intake (`dossier_handover`, migration 0017): one row per dossier, its latest hand-over. Methods
 * taking `tx` run inside the caller's transaction; each is one statement.
 */
@Injectable()
export class DossierHandoverRepository {
  constructor(private readonly database: Database) {}

  /** The dossier's hand-over, if it has one. */
  find(dossierCode: string): Promise<HandoverRow | null> {
    return this.database.queryOne<HandoverRow>('SELECT * FROM dossier_handover WHERE dossier_code = $1', [
      dossierCode,
    ]);
  }

  /** The dossier's hand-over, locked until the transaction ends. */
  lock(tx: Queryable, dossierCode: string): Promise<HandoverRow | null> {
    return tx.queryOne<HandoverRow>('SELECT * FROM dossier_handover WHERE dossier_code = $1 FOR UPDATE', [
      dossierCode,
    ]);
  }

  /** Records a hand-over, replacing an earlier one of the dossier (a refused one handed over again). */
  async handOver(
    tx: Queryable,
    handover: {
      dossierCode: string;
      procedureCode: string;
      receivingAgency: string;
      competentAgency: string;
      by: string;
    },
  ): Promise<HandoverRow> {
    const [row] = await tx.query<HandoverRow>(
      `INSERT INTO dossier_handover (dossier_code, procedure_code, receiving_agency, competent_agency, state,
         handed_over_at, handed_over_by)
       VALUES ($1, $2, $3, $4, 'HANDED_OVER', now(), $5)
       ON CONFLICT (dossier_code) DO UPDATE SET
         procedure_code = EXCLUDED.procedure_code, receiving_agency = EXCLUDED.receiving_agency,
         competent_agency = EXCLUDED.competent_agency, state = 'HANDED_OVER',
         handed_over_at = EXCLUDED.handed_over_at, handed_over_by = EXCLUDED.handed_over_by,
         decided_at = NULL, decided_by = NULL, reason = NULL, result_returned_at = NULL, result_returned_by = NULL
       RETURNING *`,
      [
        handover.dossierCode,
        handover.procedureCode,
        handover.receivingAgency,
        handover.competentAgency,
        handover.by,
      ],
    );
    return row;
  }

  /** Records the competent agency's acceptance or refusal (with the reason it gives). */
  async decide(
    tx: Queryable,
    dossierCode: string,
    decision: { state: 'ACCEPTED' | 'REFUSED'; by: string; reason: string | null },
  ): Promise<HandoverRow> {
    const [row] = await tx.query<HandoverRow>(
      `UPDATE dossier_handover SET state = $2, decided_at = now(), decided_by = $3, reason = $4
        WHERE dossier_code = $1 RETURNING *`,
      [dossierCode, decision.state, decision.by, decision.reason],
    );
    return row;
  }

  /** Records that the competent agency returned the result to the receiving agency. */
  async resultReturned(tx: Queryable, dossierCode: string, by: string): Promise<HandoverRow> {
    const [row] = await tx.query<HandoverRow>(
      `UPDATE dossier_handover SET state = 'RESULT_RETURNED', result_returned_at = now(), result_returned_by = $2
        WHERE dossier_code = $1 RETURNING *`,
      [dossierCode, by],
    );
    return row;
  }

  /**
   * Non-boundary intake of one agency in [start, end): dossiers it received and handed over, dossiers handed
   * over to it, and of those its acceptances, refusals and results returned, each by the time of its step.
   * One row per dossier: a dossier refused and handed over again counts its latest hand-over only.
   */
  async counts(agencyCode: string, start: Date, end: Date): Promise<HandoverCounts> {
    const [row] = await this.database.query<Record<keyof HandoverCounts, string>>(
      `SELECT
         count(*) FILTER (WHERE receiving_agency = $1 AND handed_over_at >= $2 AND handed_over_at < $3)
           AS "handedOver",
         count(*) FILTER (WHERE competent_agency = $1 AND handed_over_at >= $2 AND handed_over_at < $3)
           AS "received",
         count(*) FILTER (WHERE competent_agency = $1 AND state IN ('ACCEPTED', 'RESULT_RETURNED')
           AND decided_at >= $2 AND decided_at < $3) AS "accepted",
         count(*) FILTER (WHERE competent_agency = $1 AND state = 'REFUSED'
           AND decided_at >= $2 AND decided_at < $3) AS "refused",
         count(*) FILTER (WHERE competent_agency = $1 AND result_returned_at >= $2 AND result_returned_at < $3)
           AS "resultsReturned"
       FROM dossier_handover WHERE receiving_agency = $1 OR competent_agency = $1`,
      [agencyCode, start, end],
    );
    return {
      handedOver: Number(row?.handedOver ?? 0),
      received: Number(row?.received ?? 0),
      accepted: Number(row?.accepted ?? 0),
      refused: Number(row?.refused ?? 0),
      resultsReturned: Number(row?.resultsReturned ?? 0),
    };
  }
}
