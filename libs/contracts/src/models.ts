// Canonical models of Liên Thông. The types are generated from contracts/schemas (generated/contract-types.ts,
// `npm run contracts:types`); this module gives them the names the code uses, and adds what a type cannot
// carry: the enumerations as values, to iterate and check against, and the tables the schemas' conditionals
// state (the portal status code of each status, the points of each indicator group).
//
// Each enumeration value list is checked by the compiler against its generated union: a value missing or
// added in a schema fails the type check. models.spec.ts also checks their order and the tables against the
// schemas. Conditional rules (a BRANCH needs parentEnterpriseCode, a CITIZEN party needs personalId) are
// enforced by the schemas when validating; the types keep such fields optional.
import type {
  Applicant,
  AuditRecord,
  Certificate,
  ChainEvent,
  Citizen,
  Counts,
  DeliveryStatusEvent,
  DossierHandover,
  DossierStatusEvent,
  Encumbrance,
  Enterprise,
  Envelope,
  FeedbackItem,
  FieldError,
  Handler,
  Holder,
  LandUse,
  PartyRef,
  Payment,
  Period,
  Problem,
  Rating,
  Scores,
  Signature,
} from './generated/contract-types';

export type {
  Address,
  AuditCheckpoint,
  AuditRecord,
  ChainEvent,
  Citizen,
  ContentHash,
  DeliveryStatusEvent,
  DocumentCounts,
  DossierStatusEvent,
  Encumbrance,
  Enterprise,
  HouseholdHead,
  IndicatorReport,
  IsoDate,
  IsoDateTime,
  IssuingAgency,
  LandParcel,
  LandUse,
  LegalRepresentative,
  MinistryDossierStatusEvent,
  OldNumbering,
  PartialDate,
  PartyRef,
  PaymentStatus,
  Problem,
  Provenance,
  ReusableDocument,
} from './generated/contract-types';

/**
 * The members of the union `T` as a value: a member missing from the list, or a value not in `T`, fails to
 * compile (the order, and so a repeated value, models.spec.ts compares with the schema).
 */
function enumValues<T extends string>() {
  return <const V extends readonly T[]>(
    values: V &
      ([Exclude<T, V[number]>] extends [never] ? unknown : { readonly missing: Exclude<T, V[number]> }),
  ): V => values;
}

// ---------------------------------------------------------------------------------------------------
// common.v1.json

/** Known values of {@link Provenance.source}; the schema accepts any UPPER_SNAKE value and lists these. */
export const PROVENANCE_SOURCES = [
  'CSDLQG_DAN_CU',
  'CSDLQG_DKDN',
  'CSDLQG_DAT_DAI',
  'DVCQG',
  'LGSP_REUSE_STORE',
] as const;
export type KnownProvenanceSource = (typeof PROVENANCE_SOURCES)[number];

export type PartyKind = PartyRef['kind'];
export const PARTY_KINDS = enumValues<PartyKind>()(['CITIZEN', 'ENTERPRISE', 'ORGANISATION']);

// ---------------------------------------------------------------------------------------------------
// envelope.v1.json

/** CloudEvents `type` values defined by Liên Thông, and the topics' payloads. */
export const EVENT_TYPES = {
  dossierStatus: 'vn.lienthong.dossier.status.v1',
  /** A ministry's copy of a dossier status event, on lgsp.dossier.status.v1.<ministry>. */
  ministryDossierStatus: 'vn.lienthong.dossier.status.ministry.v1',
  indicatorReport: 'vn.lienthong.indicator.report.v1',
  auditLookup: 'vn.lienthong.audit.lookup.v1',
  auditCheckpoint: 'vn.lienthong.audit.checkpoint.v1',
  /** A procedure chain's transition, on lgsp.chain.events.v1. */
  chainEvent: 'vn.lienthong.chain.event.v1',
} as const satisfies Record<string, Envelope['type']>;
export type EventType = (typeof EVENT_TYPES)[keyof typeof EVENT_TYPES];

/** The named members of `T`, without its index signature. */
type KnownMembers<T> = { [K in keyof T as string extends K ? never : number extends K ? never : K]: T[K] };

/**
 * CloudEvents 1.0 structured-mode event (envelope.v1.json) with its data typed. The schema also allows
 * other extension attributes (lowercase alphanumeric names, string/integer/boolean values); they are not
 * typed here.
 */
export type CloudEvent<T = Record<string, unknown>> = Omit<KnownMembers<Envelope>, 'data'> & { data?: T };

// ---------------------------------------------------------------------------------------------------
// citizen.v1.json

export type Sex = Citizen['sex'];
export const SEXES = enumValues<Sex>()(['MALE', 'FEMALE']);

// ---------------------------------------------------------------------------------------------------
// enterprise.v1.json

export type EnterpriseKind = Enterprise['kind'];
export const ENTERPRISE_KINDS = enumValues<EnterpriseKind>()([
  'ENTERPRISE',
  'BRANCH',
  'REPRESENTATIVE_OFFICE',
]);

export type LegalForm = NonNullable<Enterprise['type']>;
export const LEGAL_FORMS = enumValues<LegalForm>()([
  'LLC_SINGLE_MEMBER',
  'LLC_MULTI_MEMBER',
  'JOINT_STOCK',
  'PARTNERSHIP',
  'PRIVATE_ENTERPRISE',
  'OTHER',
]);

export type EnterpriseStatus = Enterprise['status'];
export const ENTERPRISE_STATUSES = enumValues<EnterpriseStatus>()([
  'ACTIVE',
  'SUSPENDED',
  'NOT_OPERATING_AT_ADDRESS',
  'DISSOLVING',
  'DISSOLVED',
  'BANKRUPT',
  'CERTIFICATE_REVOKED',
  'TERMINATED_BY_REORGANISATION',
]);

// ---------------------------------------------------------------------------------------------------
// land-parcel.v1.json

export type LandUseTerm = LandUse['term'];
export const LAND_USE_TERMS = enumValues<LandUseTerm>()(['LONG_TERM', 'FIXED']);

export type LandHolder = Holder;
export type LandHolderKind = LandHolder['kind'];
export const LAND_HOLDER_KINDS = enumValues<LandHolderKind>()(['PERSON', 'ENTERPRISE', 'ORGANISATION']);

export type LandCertificate = Certificate;

export type EncumbranceKind = Encumbrance['kind'];
export const ENCUMBRANCE_KINDS = enumValues<EncumbranceKind>()([
  'MORTGAGE',
  'LEASE',
  'DISPUTE',
  'INJUNCTION',
  'EASEMENT',
  'OTHER',
]);

// ---------------------------------------------------------------------------------------------------
// dossier-status-event.v1.json

export type DossierStatus = DossierStatusEvent['status'];
export const DOSSIER_STATUSES = enumValues<DossierStatus>()([
  'SUBMITTED',
  'RECEIVED',
  'REJECTED',
  'IN_PROCESS',
  'SUPPLEMENT_REQUESTED',
  'PAYMENT_REQUESTED',
  'WITHDRAWN',
  'STOPPED',
  'RESOLVED',
  'RESULT_RETURNED',
]);

/** The National Public Service Portal's status code (TrangThaiHoSo) for each canonical status. */
export const PORTAL_STATUS_CODES: Readonly<Record<DossierStatus, number>> = Object.freeze({
  SUBMITTED: 1,
  RECEIVED: 2,
  REJECTED: 3,
  IN_PROCESS: 4,
  SUPPLEMENT_REQUESTED: 5,
  PAYMENT_REQUESTED: 6,
  WITHDRAWN: 7,
  STOPPED: 8,
  RESOLVED: 9,
  RESULT_RETURNED: 10,
});

export type DossierChannel = DossierStatusEvent['channel'];
export const DOSSIER_CHANNELS = enumValues<DossierChannel>()(['ONLINE', 'COUNTER', 'POSTAL']);

export type DossierHandler = Handler;
export type DossierPayment = Payment;
export type DossierRating = Rating;

// ---------------------------------------------------------------------------------------------------
// ministry-dossier-status-event.v1.json

export type MinistryApplicant = Applicant;

// ---------------------------------------------------------------------------------------------------
// reusable-document.v1.json

export type SignatureVerification = Signature;
export type SignatureStatus = SignatureVerification['status'];
export const SIGNATURE_STATUSES = enumValues<SignatureStatus>()(['VALID', 'INVALID', 'ABSENT']);

// ---------------------------------------------------------------------------------------------------
// indicator-report.v1.json

export type ReportingPeriod = Period;
export type PeriodKind = ReportingPeriod['kind'];
export const PERIOD_KINDS = enumValues<PeriodKind>()(['DAY', 'MONTH', 'QUARTER', 'YEAR']);

export type IndicatorCounts = Counts;
export type IndicatorScores = Scores;
export type IndicatorGroup = Exclude<keyof IndicatorScores, 'total'>;

/** Decision 766/QĐ-TTg groups and their maximum points (total 100), the schema's maxima. */
export const INDICATOR_MAX_POINTS: Readonly<Record<IndicatorGroup, number>> = Object.freeze({
  CKMB: 18,
  TDGQ: 20,
  CLGQ: 12,
  TTTT: 10,
  MDHL: 18,
  MDSH: 22,
});

// ---------------------------------------------------------------------------------------------------
// problem.v1.json

export type ProblemFieldError = FieldError;

/** The members a problem may carry beyond RFC 9457's and the code, request id and field errors. */
export type ProblemExtensions = Partial<
  Pick<
    Problem,
    'results' | 'accepted' | 'duplicates' | 'rejected' | 'reason' | 'documentStatus' | 'documentId'
  >
>;

// ---------------------------------------------------------------------------------------------------
// audit-record.v1.json

export type AuditSubjectKind = AuditRecord['subjectKind'];
export const AUDIT_SUBJECT_KINDS = enumValues<AuditSubjectKind>()([
  'CITIZEN',
  'ENTERPRISE',
  'PARCEL',
  'DOSSIER',
  'DOCUMENT',
  'NONE',
]);

export type AuditOutcome = AuditRecord['outcome'];
export const AUDIT_OUTCOMES = enumValues<AuditOutcome>()([
  'OK',
  'NOT_FOUND',
  'DENIED',
  'INVALID',
  'UPSTREAM_ERROR',
  'STALE_SERVED',
  'ERROR',
]);

export type AuditUpstream = AuditRecord['upstream'];
export const AUDIT_UPSTREAMS = enumValues<AuditUpstream>()([
  'population',
  'business-registry',
  'land',
  'reuse-store',
  'dossier-store',
  'public-service-portal',
  'operations-center',
  'dead-letters',
  'audit-log',
  'gateway',
  'payment-platform',
  'postal',
  'feedback-system',
]);

export type AuditCacheResult = NonNullable<AuditRecord['cache']>;
export const AUDIT_CACHE_RESULTS = enumValues<AuditCacheResult>()(['HIT', 'MISS', 'STALE']);

/** The prefix of the chain a retention run removed, named by its own record. */
export type AuditPrunedRange = NonNullable<AuditRecord['pruned']>;

// ---------------------------------------------------------------------------------------------------
// chain-event.v1.json

export type ChainEventKind = ChainEvent['kind'];
export const CHAIN_EVENT_KINDS = enumValues<ChainEventKind>()([
  'chain.started',
  'chain.completed',
  'chain.stopped',
  'chain.failed',
  'chain.compensation-required',
  'step.submitted',
  'step.done',
  'step.refused',
  'step.retry',
  'step.failed',
  'step.overdue',
]);

// ---------------------------------------------------------------------------------------------------
// delivery-status-event.v1.json

export type DeliveryStatus = DeliveryStatusEvent['status'];

// ---------------------------------------------------------------------------------------------------
// feedback-item.v1.json

export type FeedbackItemEvent = FeedbackItem;

// ---------------------------------------------------------------------------------------------------
// dossier-handover.v1.json

export type DossierHandoverEvent = DossierHandover;
export type HandoverState = DossierHandoverEvent['state'];
export const HANDOVER_STATES = enumValues<HandoverState>()([
  'HANDED_OVER',
  'ACCEPTED',
  'REFUSED',
  'RESULT_RETURNED',
]);
