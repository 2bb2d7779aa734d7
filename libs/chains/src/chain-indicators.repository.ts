import { Injectable } from '@nestjs/common';
import type { ChainFact } from './chain-indicators';
import type { ChainStatus, StepStatus } from './chain-runner';
import { Database } from '@lienthong/storage';

interface FactRow {
  chain_code: string;
  status: ChainStatus;
  created_at: Date | string;
  finished_at: Date | string | null;
  steps: Record<string, StepStatus> | string | null;
}

/** An agency's chains as the durable chain tables hold them, for GET /v1/indicators/chains. */
@Injectable()
export class ChainIndicatorRepository {
  constructor(private readonly database: Database) {}

  /**
   * The agency's chains that could count in [start, end): started before its end, and running or finished
   * after its start (a chain's last update is never before it finished), each with the time it finished and
   * its steps' statuses.
   */
  async facts(agencyCode: string, start: Date, end: Date): Promise<ChainFact[]> {
    const rows = await this.database.query<FactRow>(
      `SELECT i.chain_code, i.status, i.created_at,
              (SELECT max(t.at) FROM chain_transition t
                WHERE t.parent_dossier_code = i.parent_dossier_code
                  AND t.kind IN ('chain.completed', 'chain.stopped', 'chain.failed')) AS finished_at,
              (SELECT jsonb_object_agg(s.step_id, s.status) FROM chain_step s
                WHERE s.parent_dossier_code = i.parent_dossier_code) AS steps
         FROM chain_instance i
        WHERE i.agency_code = $1 AND i.created_at < $3 AND (i.status = 'RUNNING' OR i.updated_at >= $2)`,
      [agencyCode, start, end],
    );
    return rows.map((row) => ({
      chainCode: row.chain_code,
      status: row.status,
      startedAt: new Date(row.created_at),
      finishedAt: row.finished_at === null ? null : new Date(row.finished_at),
      steps: typeof row.steps === 'string' ? JSON.parse(row.steps) : (row.steps ?? {}),
    }));
  }
}
