import type { HandoverState } from '@lienthong/contracts';
import { validateAgencyCode, type ProcedureEntry } from '@lienthong/domain';

/**
 * The rules of non-boundary intake ("tiếp nhận không phụ thuộc địa giới hành chính"), without I/O: which
 * hand-over, decision and result a dossier's state allows, and the request bodies. The service applies them
 * inside the transaction that locks the dossier.
 */

/** A refusal as the HTTP answer gives it: status and stable problem code. */
export interface HandoverRefusal {
  status: 400 | 403 | 409 | 422;
  code: string;
  detail: string;
  errors?: { path: string; code: string; message: string }[];
}

export interface HandoverRequest {
  competentAgency: string;
}

export type HandoverDecision = { decision: 'ACCEPT' } | { decision: 'REFUSE'; reason: string };

export const MAX_REASON_LENGTH = 1000;

function invalidBody(errors: { path: string; code: string; message: string }[]): HandoverRefusal {
  return {
    status: 400,
    code: 'INVALID_BODY',
    detail: errors.map((e) => e.message).join('; '),
    errors,
  };
}

function isObject(body: unknown): body is Record<string, unknown> {
  return body !== null && typeof body === 'object' && !Array.isArray(body);
}

function extraKeys(body: Record<string, unknown>, allowed: readonly string[]) {
  return Object.keys(body)
    .filter((key) => !allowed.includes(key))
    .map((key) => ({ path: `/${key}`, code: 'UNKNOWN_FIELD', message: `unknown field "${key}"` }));
}

/** `{"competentAgency": "<agency code>"}`. */
export function parseHandoverRequest(body: unknown): HandoverRequest | HandoverRefusal {
  if (!isObject(body))
    return invalidBody([{ path: '', code: 'NOT_AN_OBJECT', message: 'send {"competentAgency": "..."}' }]);
  const errors = extraKeys(body, ['competentAgency']);
  const agency = body.competentAgency;
  if (typeof agency !== 'string') {
    errors.push({ path: '/competentAgency', code: 'REQUIRED', message: 'competentAgency is required' });
  } else {
    for (const issue of validateAgencyCode(agency).errors)
      errors.push({ path: '/competentAgency', code: issue.code, message: issue.message });
  }
  return errors.length ? invalidBody(errors) : { competentAgency: agency as string };
}

/** `{"decision": "ACCEPT"}` or `{"decision": "REFUSE", "reason": "..."}`. */
export function parseDecision(body: unknown): HandoverDecision | HandoverRefusal {
  if (!isObject(body))
    return invalidBody([
      { path: '', code: 'NOT_AN_OBJECT', message: 'send {"decision": "ACCEPT" | "REFUSE"}' },
    ]);
  const errors = extraKeys(body, ['decision', 'reason']);
  const { decision, reason } = body;
  if (decision !== 'ACCEPT' && decision !== 'REFUSE') {
    errors.push({
      path: '/decision',
      code: 'INVALID_DECISION',
      message: 'decision must be ACCEPT or REFUSE',
    });
  }
  if (reason !== undefined) {
    if (typeof reason !== 'string' || reason.trim() === '' || reason.length > MAX_REASON_LENGTH)
      errors.push({
        path: '/reason',
        code: 'INVALID_REASON',
        message: `reason must be a text of 1 to ${MAX_REASON_LENGTH} characters`,
      });
    else if (decision === 'ACCEPT')
      errors.push({ path: '/reason', code: 'UNEXPECTED_REASON', message: 'an acceptance takes no reason' });
  } else if (decision === 'REFUSE') {
    errors.push({ path: '/reason', code: 'REQUIRED', message: 'a refusal needs a reason' });
  }
  if (errors.length) return invalidBody(errors);
  return decision === 'REFUSE' ? { decision, reason: (reason as string).trim() } : { decision: 'ACCEPT' };
}

/** The result route takes no fields: an empty body or `{}`. */
export function parseResult(body: unknown): true | HandoverRefusal {
  if (body === undefined || body === null || body === '') return true;
  if (!isObject(body))
    return invalidBody([{ path: '', code: 'NOT_AN_OBJECT', message: 'send {} or no body' }]);
  const errors = extraKeys(body, []);
  return errors.length ? invalidBody(errors) : true;
}

/**
 * Whether the receiving agency may hand the dossier over to `competentAgency`: the catalogue must allow the
 * procedure non-boundary intake, name the agency among its competent ones when it lists them, the dossier
 * must still be open, and not already be with another agency (a refused hand-over may be made again).
 */
export function handoverRefusal(input: {
  procedureCode: string;
  procedure: Readonly<ProcedureEntry> | undefined;
  receivingAgency: string;
  competentAgency: string;
  closed: boolean;
  existing?: HandoverState;
}): HandoverRefusal | undefined {
  const { procedure, procedureCode, receivingAgency, competentAgency } = input;
  if (!procedure?.nonBoundary) {
    return {
      status: 422,
      code: 'NON_BOUNDARY_NOT_ALLOWED',
      detail: `procedure ${procedureCode} is not open to non-boundary intake in the procedure catalogue: its dossiers are received by the competent agency only`,
    };
  }
  if (competentAgency === receivingAgency) {
    return {
      status: 422,
      code: 'HANDOVER_TO_SELF',
      detail: `the dossier is already at agency ${receivingAgency}; hand it over to another agency`,
    };
  }
  if (procedure.competentAgencies && !procedure.competentAgencies.includes(competentAgency)) {
    return {
      status: 422,
      code: 'AGENCY_NOT_COMPETENT',
      detail: `agency ${competentAgency} does not resolve procedure ${procedureCode} (the catalogue names ${procedure.competentAgencies.join(', ')})`,
    };
  }
  if (input.closed) {
    return {
      status: 422,
      code: 'DOSSIER_CLOSED',
      detail: 'the dossier is closed: there is nothing to hand over',
    };
  }
  if (input.existing && input.existing !== 'REFUSED') {
    return {
      status: 409,
      code: 'HANDOVER_EXISTS',
      detail: `the dossier was already handed over (state ${input.existing})`,
    };
  }
  return undefined;
}

/** A decision is taken once, on a dossier handed over and not yet decided. */
export function decisionRefusal(state: HandoverState): HandoverRefusal | undefined {
  return state === 'HANDED_OVER'
    ? undefined
    : {
        status: 409,
        code: 'HANDOVER_NOT_PENDING',
        detail: `the hand-over was already decided (state ${state})`,
      };
}

/** A result is returned once, for a dossier the competent agency accepted. */
export function resultRefusal(state: HandoverState): HandoverRefusal | undefined {
  return state === 'ACCEPTED'
    ? undefined
    : {
        status: 409,
        code: 'HANDOVER_NOT_ACCEPTED',
        detail: `a result is returned for an accepted hand-over only (state ${state})`,
      };
}
