import { DossierStatus, isDossierStatus, isTerminalStatus } from './dossier-status';

/**
 * Legal status changes of a dossier, as one table.
 *
 * Source: the portal status list (docs/domain.md, "consistent across independent one-stop implementations"): terminal
 * states are REJECTED, WITHDRAWN, STOPPED and RESULT_RETURNED; a dossier never goes back to SUBMITTED or
 * RECEIVED once in process; RESOLVED precedes RESULT_RETURNED. The rest are judgement calls, marked below.
 *
 * Judgement calls:
 * - Initial status: SUBMITTED (online submission) or RECEIVED. An application handed in at the one-stop counter
 *   is received on the spot, so its first recorded status is RECEIVED with no SUBMITTED step.
 * - REJECTED ("không được tiếp nhận") is a refusal at intake, so only SUBMITTED leads to it; after reception a
 *   dossier ends as STOPPED or WITHDRAWN instead.
 * - RECEIVED → RESOLVED is allowed: some procedures are settled on the spot, with no separate processing step.
 * - PAYMENT_REQUESTED → RESOLVED is allowed: paying the financial obligation is often the last step before the
 *   result is issued (land registration), and one-stop systems report RESOLVED straight after payment.
 *   SUPPLEMENT_REQUESTED → RESOLVED is not: supplemented papers must be examined (IN_PROCESS) first.
 * - SUPPLEMENT_REQUESTED and PAYMENT_REQUESTED do not lead directly to each other; they pass through IN_PROCESS.
 * - A repeated status is legal for IN_PROCESS only: a progress update from another department keeps the
 *   dossier in process. Any other repeat is a duplicate and is refused.
 */

export type TransitionRefusalCode =
  | 'UNKNOWN_STATUS'
  | 'ILLEGAL_INITIAL_STATUS'
  | 'FROM_TERMINAL'
  | 'REPEATED_STATUS'
  | 'BACK_TO_INTAKE'
  | 'ILLEGAL_TRANSITION';

export interface TransitionResult {
  allowed: boolean;
  code?: TransitionRefusalCode;
  reason?: string;
}

const S = DossierStatus;

/** Statuses a new dossier may start in. */
export const INITIAL_DOSSIER_STATUSES: readonly DossierStatus[] = Object.freeze([S.SUBMITTED, S.RECEIVED]);

/** from → the statuses it may move to. Terminal statuses map to an empty list. */
export const DOSSIER_STATUS_TRANSITIONS: Readonly<Record<DossierStatus, readonly DossierStatus[]>> =
  Object.freeze({
    [S.SUBMITTED]: [S.RECEIVED, S.REJECTED, S.WITHDRAWN],
    [S.RECEIVED]: [
      S.IN_PROCESS,
      S.SUPPLEMENT_REQUESTED,
      S.PAYMENT_REQUESTED,
      S.WITHDRAWN,
      S.STOPPED,
      S.RESOLVED,
    ],
    [S.IN_PROCESS]: [
      S.IN_PROCESS,
      S.SUPPLEMENT_REQUESTED,
      S.PAYMENT_REQUESTED,
      S.RESOLVED,
      S.STOPPED,
      S.WITHDRAWN,
    ],
    [S.SUPPLEMENT_REQUESTED]: [S.IN_PROCESS, S.WITHDRAWN, S.STOPPED],
    [S.PAYMENT_REQUESTED]: [S.IN_PROCESS, S.RESOLVED, S.WITHDRAWN, S.STOPPED],
    [S.RESOLVED]: [S.RESULT_RETURNED],
    [S.REJECTED]: [],
    [S.WITHDRAWN]: [],
    [S.STOPPED]: [],
    [S.RESULT_RETURNED]: [],
  });

const INTAKE_STATUSES: ReadonlySet<DossierStatus> = new Set([S.SUBMITTED, S.RECEIVED]);

/** Statuses reachable in one step from `from` (or the initial statuses when `from` is null). */
export function nextDossierStatuses(from: DossierStatus | null): readonly DossierStatus[] {
  if (from === null) return INITIAL_DOSSIER_STATUSES;
  return DOSSIER_STATUS_TRANSITIONS[from] ?? [];
}

/**
 * Whether a dossier may move from `from` (null for a dossier not seen before) to `to`. A refusal carries a
 * stable code saying why.
 */
export function canTransition(from: DossierStatus | null, to: DossierStatus): TransitionResult {
  if (!isDossierStatus(to)) {
    return refuse('UNKNOWN_STATUS', `Unknown target status "${String(to)}"`);
  }
  if (from === null) {
    return INITIAL_DOSSIER_STATUSES.includes(to)
      ? { allowed: true }
      : refuse('ILLEGAL_INITIAL_STATUS', `A new dossier starts as SUBMITTED or RECEIVED, not ${to}`);
  }
  if (!isDossierStatus(from)) {
    return refuse('UNKNOWN_STATUS', `Unknown current status "${String(from)}"`);
  }
  if (DOSSIER_STATUS_TRANSITIONS[from].includes(to)) return { allowed: true };

  if (isTerminalStatus(from)) {
    return refuse('FROM_TERMINAL', `${from} is terminal; no further status is allowed`);
  }
  if (from === to) {
    return refuse('REPEATED_STATUS', `${from} cannot be repeated (only IN_PROCESS accepts progress updates)`);
  }
  if (INTAKE_STATUSES.has(to)) {
    return refuse('BACK_TO_INTAKE', `A dossier cannot go back to ${to} from ${from}`);
  }
  return refuse('ILLEGAL_TRANSITION', `${from} → ${to} is not a legal status change`);
}

function refuse(code: TransitionRefusalCode, reason: string): TransitionResult {
  return { allowed: false, code, reason };
}
