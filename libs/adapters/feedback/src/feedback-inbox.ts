import { dueAt } from '@lienthong/domain';
import type { Database, Queryable } from '@lienthong/storage';
import type { FeedbackItem } from './feedback.client';

/**
 * The province's copy of the national feedback items (table feedback_item, migration 0015): stored by the
 * relay's feedback role with their competent agency and answer deadline, listed and answered through the
 * gateway.
 *
 * Deadline rule (assumed): the answer is due at the end of the `answerWorkingDays`-th working day after the
 * day the national system received the item (Vietnam time, Saturdays and Sundays off, public holidays not
 * known). The default of 10 working days follows the time limit for handling feedback in Decree
 * 20/2008/NĐ-CP as amended; it is a setting (FEEDBACK_ANSWER_WORKING_DAYS) because the figure is not
 * confirmed against the national system.
 */
export const FEEDBACK_STATUSES = ['OPEN', 'UNROUTED', 'ANSWERED_ON_TIME', 'ANSWERED_LATE'] as const;
export type FeedbackStatus = (typeof FEEDBACK_STATUSES)[number];

/** An item as the agencies see it (the citizen's contact included: the gateway shows it to the agency only). */
export interface FeedbackView {
  id: string;
  receivedAt: string;
  procedureCode: string | null;
  agencyCode: string | null;
  content: string;
  contact: Record<string, string>;
  status: FeedbackStatus;
  dueAt: string;
  overdue: boolean;
  answer: string | null;
  answeredAt: string | null;
}

interface Row {
  id: string;
  received_at: Date | string;
  procedure_code: string | null;
  agency_code: string | null;
  content: string;
  contact: Record<string, string> | string;
  status: FeedbackStatus;
  due_at: Date | string;
  answer: string | null;
  answered_at: Date | string | null;
}

const iso = (value: Date | string) => new Date(value).toISOString();

export class FeedbackInbox {
  constructor(
    private readonly database: Database,
    private readonly options: { answerWorkingDays: number; source?: string },
  ) {}

  private get source(): string {
    return this.options.source ?? 'national';
  }

  /** When an item received at `receivedAt` must be answered. */
  deadline(receivedAt: Date): Date {
    return dueAt(receivedAt, { workingDays: this.options.answerWorkingDays })!;
  }

  async cursor(): Promise<string | undefined> {
    const row = await this.database.queryOne<{ cursor: string }>(
      'SELECT cursor FROM feedback_cursor WHERE source = $1',
      [this.source],
    );
    return row?.cursor;
  }

  /**
   * Stores a page of items and the cursor after it in one transaction; items already stored are left as
   * they are. Returns the items stored for the first time. `also` runs in the same transaction.
   */
  async store(
    items: readonly FeedbackItem[],
    cursor: string,
    now: Date,
    also?: (tx: Queryable, stored: FeedbackItem[]) => Promise<void>,
  ): Promise<FeedbackItem[]> {
    return this.database.transaction(async (tx) => {
      const stored: FeedbackItem[] = [];
      for (const item of items) {
        const row = await tx.queryOne(
          `INSERT INTO feedback_item (id, received_at, procedure_code, agency_code, content, contact, status,
             due_at, stored_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
           ON CONFLICT (id) DO NOTHING RETURNING id`,
          [
            item.id,
            item.receivedAt,
            item.procedureCode ?? null,
            item.agencyCode ?? null,
            item.content,
            JSON.stringify(item.contact),
            item.agencyCode ? 'OPEN' : 'UNROUTED',
            this.deadline(item.receivedAt),
            now,
          ],
        );
        if (row) stored.push(item);
      }
      await tx.query(
        `INSERT INTO feedback_cursor (source, cursor, updated_at) VALUES ($1, $2, $3)
         ON CONFLICT (source) DO UPDATE SET cursor = EXCLUDED.cursor, updated_at = EXCLUDED.updated_at`,
        [this.source, cursor, now],
      );
      if (also) await also(tx, stored);
      return stored;
    });
  }

  async list(filter: { agencyCode: string; status?: FeedbackStatus }, now: Date): Promise<FeedbackView[]> {
    const rows = await this.database.query<Row>(
      `SELECT * FROM feedback_item WHERE agency_code = $1 AND ($2::text IS NULL OR status = $2)
       ORDER BY due_at, id LIMIT 500`,
      [filter.agencyCode, filter.status ?? null],
    );
    return rows.map((row) => this.view(row, now));
  }

  async get(id: string, now: Date): Promise<FeedbackView | undefined> {
    const row = await this.database.queryOne<Row>('SELECT * FROM feedback_item WHERE id = $1', [id]);
    return row ? this.view(row, now) : undefined;
  }

  /** Records the answer sent; its status says whether it came before the deadline. */
  async answered(id: string, answer: string, at: Date, by: string): Promise<FeedbackView | undefined> {
    const row = await this.database.queryOne<Row>(
      `UPDATE feedback_item SET answer = $2, answered_at = $3, answered_by = $4,
         status = CASE WHEN $3 <= due_at THEN 'ANSWERED_ON_TIME' ELSE 'ANSWERED_LATE' END
       WHERE id = $1 AND status = 'OPEN' RETURNING *`,
      [id, answer, at, by],
    );
    return row ? this.view(row, at) : undefined;
  }

  private view(row: Row, now: Date): FeedbackView {
    const due = new Date(row.due_at);
    const answeredAt = row.answered_at ? new Date(row.answered_at) : undefined;
    return {
      id: row.id,
      receivedAt: iso(row.received_at),
      procedureCode: row.procedure_code,
      agencyCode: row.agency_code,
      content: row.content,
      contact: typeof row.contact === 'string' ? JSON.parse(row.contact) : row.contact,
      status: row.status,
      dueAt: due.toISOString(),
      overdue: (answeredAt ?? now) > due,
      answer: row.answer,
      answeredAt: answeredAt ? answeredAt.toISOString() : null,
    };
  }
}
