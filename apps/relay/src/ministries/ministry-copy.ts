import { hkdfSync, createHmac } from 'node:crypto';
import { decodeSubjectKey } from '@lienthong/audit';
import type { DossierStatusEvent, MinistryApplicant, MinistryDossierStatusEvent } from '@lienthong/contracts';
import type { MinistryGrant, Route } from '@lienthong/domain';

/** The HKDF `info` prefix of a ministry's pseudonym key; the version lets a new scheme coexist. */
const KEY_INFO = 'lienthong/ministry-pseudonym/v1/';

/**
 * The applicant pseudonyms of the ministry copies. Each ministry gets its own key, derived from
 * MINISTRY_PSEUDONYM_KEY by HKDF-SHA256 with the ministry slug in `info`, so the same person has the same
 * pseudonym on every event of one ministry (across restarts: the key is configuration) and unrelated
 * pseudonyms at two ministries, which therefore cannot join their data on it. The pseudonym is
 * HMAC-SHA256(ministry key, `<personalId|enterpriseCode>:<identifier>`) in unpadded base64url: a ministry
 * cannot reverse it, nor test a guessed personal ID against it, without the relay's key.
 */
export class MinistryPseudonyms {
  private readonly master: Buffer;
  private readonly keys = new Map<string, Buffer>();

  constructor(key: string) {
    // same key format and minimum length as the audit subject key, and the same message naming the setting
    this.master = decodeSubjectKey(key, 'MINISTRY_PSEUDONYM_KEY');
  }

  of(ministry: string, identifier: { type: 'personalId' | 'enterpriseCode'; value: string }): string {
    let key = this.keys.get(ministry);
    if (!key) {
      key = Buffer.from(hkdfSync('sha256', this.master, Buffer.alloc(0), `${KEY_INFO}${ministry}`, 32));
      this.keys.set(ministry, key);
    }
    return createHmac('sha256', key).update(`${identifier.type}:${identifier.value}`).digest('base64url');
  }
}

/**
 * What happens to each field of the canonical event in a ministry copy: `kept` always (routing, status,
 * indicators), `applicant` rewritten, or kept only under a grant. Typed over every canonical field, so a
 * field added to the contract does not compile until someone decides whether ministries get it.
 */
const FIELD_POLICY: { readonly [K in keyof DossierStatusEvent]-?: 'kept' | 'applicant' | MinistryGrant } = {
  eventId: 'kept',
  dossierCode: 'kept',
  agencyCode: 'kept',
  procedureCode: 'kept',
  sectorCode: 'kept',
  status: 'kept',
  portalStatusCode: 'kept',
  occurredAt: 'kept',
  dueAt: 'kept',
  channel: 'kept',
  documents: 'kept',
  payment: 'kept',
  applicant: 'applicant',
  handler: 'handler',
  note: 'note',
  rating: 'rating',
};

function applicantFor(
  applicant: DossierStatusEvent['applicant'],
  route: Route,
  pseudonyms: MinistryPseudonyms,
): MinistryApplicant {
  const { kind, personalId, enterpriseCode } = applicant;
  if (personalId !== undefined) {
    return route.grants.has('applicant.personalId')
      ? { kind, personalId }
      : { kind, pseudonym: pseudonyms.of(route.ministry, { type: 'personalId', value: personalId }) };
  }
  if (enterpriseCode !== undefined) {
    return route.grants.has('applicant.enterpriseCode')
      ? { kind, enterpriseCode }
      : { kind, pseudonym: pseudonyms.of(route.ministry, { type: 'enterpriseCode', value: enterpriseCode }) };
  }
  return { kind };
}

/**
 * The ministry copy of a canonical event (contract ministry-dossier-status-event): what FIELD_POLICY keeps,
 * the granted fields of the route, the sector it was routed by, and the applicant by pseudonym unless
 * the identifier is granted.
 */
export function ministryCopy(
  event: DossierStatusEvent,
  route: Route,
  pseudonyms: MinistryPseudonyms,
): MinistryDossierStatusEvent {
  const copy: Record<string, unknown> = {};
  for (const [field, policy] of Object.entries(FIELD_POLICY)) {
    const value = event[field as keyof DossierStatusEvent];
    if (value === undefined) continue;
    if (policy === 'applicant') copy[field] = applicantFor(event.applicant, route, pseudonyms);
    else if (policy === 'kept' || route.grants.has(policy)) copy[field] = value;
  }
  copy.sectorCode = route.sectorCode;
  return copy as unknown as MinistryDossierStatusEvent;
}
