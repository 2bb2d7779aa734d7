// Canonical models of Liên Thông, written by hand to mirror contracts/schemas/*.v1.json.
//
// Next to each interface is a key list (`*_KEYS`) naming the JSON Schema node it mirrors and the
// interface's required and optional properties. The compiler checks the list against the interface
// (every property listed, each on the right side), and models.spec.ts checks it against the schema, so
// a field added to one and not the other fails the build or the tests.
//
// Conditional rules (e.g. a BRANCH needs parentEnterpriseCode, a CITIZEN party needs personalId) are
// enforced by the schemas; the interfaces keep such fields optional and say so in their comments.

/** RFC 3339 date-time with an explicit offset, e.g. `2026-10-31T09:15:02+07:00`. */
export type IsoDateTime = string;
/** Calendar date `YYYY-MM-DD`. */
export type IsoDate = string;
/** `YYYY-MM-DD`, `YYYY-MM` or `YYYY`; the precision is the length. */
export type PartialDate = string;

// ---------------------------------------------------------------------------------------------------
// Key lists

/** Properties of `T` that are not optional. */
export type RequiredKeys<T> = {
  [K in keyof T]-?: Partial<Pick<T, K>> extends Pick<T, K> ? never : K;
}[keyof T] &
  string;
/** Properties of `T` that are optional. */
export type OptionalKeys<T> = Exclude<keyof T & string, RequiredKeys<T>>;

type Exhaustive<All extends string, Listed extends string> = [Exclude<All, Listed>] extends [never]
  ? unknown
  : { readonly missingKeys: Exclude<All, Listed> };

/** Where a model lives in contracts/schemas: the schema document and a JSON pointer into it. */
export interface SchemaNodeRef {
  /** Schema document name, e.g. `citizen` for citizen.v1.json, `common` for common.v1.json. */
  readonly schema: string;
  /** JSON pointer to the object schema inside the document; `''` for the root. */
  readonly pointer: string;
}

/** A key list with the model type erased, for iteration. */
export interface KeyList extends SchemaNodeRef {
  readonly required: readonly string[];
  readonly optional: readonly string[];
}

export interface ContractKeys<T> extends KeyList {
  readonly required: readonly RequiredKeys<T>[];
  readonly optional: readonly OptionalKeys<T>[];
}

/**
 * Declares the property list of `T` and the schema node it mirrors. Usage:
 * `contractKeys<Address>()({ schema: 'common', pointer: '/$defs/address', required: [...], optional: [...] })`.
 * Omitting a property of `T`, or listing one on the wrong side, is a compile error.
 */
export function contractKeys<T>() {
  return <const R extends readonly RequiredKeys<T>[], const O extends readonly OptionalKeys<T>[]>(
    keys: SchemaNodeRef & { readonly required: R; readonly optional: O } & Exhaustive<
        RequiredKeys<T>,
        R[number]
      > &
      Exhaustive<OptionalKeys<T>, O[number]>,
  ): ContractKeys<T> => keys;
}

// ---------------------------------------------------------------------------------------------------
// common.v1.json

export interface Address {
  /** Part below the commune: house number, street, hamlet (số nhà, đường, thôn/ấp). */
  detail?: string;
  /** Current 5-digit commune code (since 1 July 2025). */
  communeCode: string;
  communeName?: string;
  /** Current 2-digit province code. */
  provinceCode: string;
  provinceName?: string;
  /** 2004-scheme codes, kept when the upstream gives them. */
  legacyProvinceCode?: string;
  legacyDistrictCode?: string;
  legacyCommuneCode?: string;
}
export const ADDRESS_KEYS = contractKeys<Address>()({
  schema: 'common',
  pointer: '/$defs/address',
  required: ['communeCode', 'provinceCode'],
  optional: [
    'detail',
    'communeName',
    'provinceName',
    'legacyProvinceCode',
    'legacyDistrictCode',
    'legacyCommuneCode',
  ],
});

/** Known values of {@link Provenance.source}; the schema accepts any UPPER_SNAKE value. */
export const PROVENANCE_SOURCES = [
  'CSDLQG_DAN_CU',
  'CSDLQG_DKDN',
  'CSDLQG_DAT_DAI',
  'DVCQG',
  'LGSP_REUSE_STORE',
] as const;
export type KnownProvenanceSource = (typeof PROVENANCE_SOURCES)[number];

export interface Provenance {
  /** System of record, e.g. `CSDLQG_DAN_CU`. */
  source: string;
  retrievedAt: IsoDateTime;
  /** Until when the data may be used without asking the source again (Decree 47/2020). */
  validUntil: IsoDateTime;
}
export const PROVENANCE_KEYS = contractKeys<Provenance>()({
  schema: 'common',
  pointer: '/$defs/provenance',
  required: ['source', 'retrievedAt', 'validUntil'],
  optional: [],
});

export const PARTY_KINDS = ['CITIZEN', 'ENTERPRISE', 'ORGANISATION'] as const;
export type PartyKind = (typeof PARTY_KINDS)[number];

/**
 * A person or organisation by identifier only. CITIZEN: personalId required, no enterpriseCode.
 * ENTERPRISE: enterpriseCode required, no personalId. ORGANISATION: no personalId, enterpriseCode optional.
 */
export interface PartyRef {
  kind: PartyKind;
  personalId?: string;
  enterpriseCode?: string;
}
export const PARTY_REF_KEYS = contractKeys<PartyRef>()({
  schema: 'common',
  pointer: '/$defs/partyRef',
  required: ['kind'],
  optional: ['personalId', 'enterpriseCode'],
});

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
} as const;
export type EventType = (typeof EVENT_TYPES)[keyof typeof EVENT_TYPES];

/**
 * CloudEvents 1.0 structured-mode event. Other extension attributes (lowercase alphanumeric names,
 * string/integer/boolean values) are allowed by the schema but not typed here.
 */
export interface CloudEvent<T = Record<string, unknown>> {
  specversion: '1.0';
  id: string;
  /** URI reference, e.g. `/lienthong/gateway`. */
  source: string;
  /** Reverse-DNS type ending in a version, e.g. `vn.lienthong.dossier.status.v1`. */
  type: string;
  /** Aggregate id, the same as the Kafka key (e.g. the dossier code). */
  subject?: string;
  time?: IsoDateTime;
  datacontenttype?: 'application/json';
  /** `$id` of the data's schema. */
  dataschema?: string;
  data?: T;
  /** Extension: X-Request-Id of the exchange that caused the event. */
  requestid?: string;
  /** Extension: W3C traceparent. */
  traceparent?: string;
}
export const CLOUD_EVENT_KEYS = contractKeys<CloudEvent>()({
  schema: 'envelope',
  pointer: '',
  required: ['specversion', 'id', 'source', 'type'],
  optional: ['subject', 'time', 'datacontenttype', 'dataschema', 'data', 'requestid', 'traceparent'],
});

// ---------------------------------------------------------------------------------------------------
// citizen.v1.json

export const SEXES = ['MALE', 'FEMALE'] as const;
export type Sex = (typeof SEXES)[number];

export interface HouseholdHead {
  fullName: string;
  personalId?: string;
  /** The citizen's relationship to the head (quan hệ với chủ hộ), e.g. `Con`. */
  relationship?: string;
}
export const HOUSEHOLD_HEAD_KEYS = contractKeys<HouseholdHead>()({
  schema: 'citizen',
  pointer: '/$defs/householdHead',
  required: ['fullName'],
  optional: ['personalId', 'relationship'],
});

/** Citizen from the National Population Database (CSDLQG về dân cư). */
export interface Citizen {
  /** 12-digit personal identification number (số định danh cá nhân). */
  personalId: string;
  /** Old 9-digit identity card (CMND); never a key. */
  legacyIdCard?: string;
  fullName: string;
  dateOfBirth: PartialDate;
  sex: Sex;
  /** ISO 3166-1 alpha-2, `VN` for Vietnamese citizens. */
  nationality: string;
  ethnicity?: string;
  religion?: string;
  placeOfOrigin?: Address;
  permanentResidence?: Address;
  currentResidence?: Address;
  fatherName?: string;
  motherName?: string;
  spouseName?: string;
  householdHead?: HouseholdHead;
  provenance: Provenance;
}
export const CITIZEN_KEYS = contractKeys<Citizen>()({
  schema: 'citizen',
  pointer: '',
  required: ['personalId', 'fullName', 'dateOfBirth', 'sex', 'nationality', 'provenance'],
  optional: [
    'legacyIdCard',
    'ethnicity',
    'religion',
    'placeOfOrigin',
    'permanentResidence',
    'currentResidence',
    'fatherName',
    'motherName',
    'spouseName',
    'householdHead',
  ],
});

// ---------------------------------------------------------------------------------------------------
// enterprise.v1.json

export const ENTERPRISE_KINDS = ['ENTERPRISE', 'BRANCH', 'REPRESENTATIVE_OFFICE'] as const;
export type EnterpriseKind = (typeof ENTERPRISE_KINDS)[number];

export const LEGAL_FORMS = [
  'LLC_SINGLE_MEMBER',
  'LLC_MULTI_MEMBER',
  'JOINT_STOCK',
  'PARTNERSHIP',
  'PRIVATE_ENTERPRISE',
  'OTHER',
] as const;
export type LegalForm = (typeof LEGAL_FORMS)[number];

export const ENTERPRISE_STATUSES = [
  'ACTIVE',
  'SUSPENDED',
  'NOT_OPERATING_AT_ADDRESS',
  'DISSOLVING',
  'DISSOLVED',
  'BANKRUPT',
  'CERTIFICATE_REVOKED',
  'TERMINATED_BY_REORGANISATION',
] as const;
export type EnterpriseStatus = (typeof ENTERPRISE_STATUSES)[number];

export interface LegalRepresentative {
  fullName: string;
  position: string;
  personalId?: string;
}
export const LEGAL_REPRESENTATIVE_KEYS = contractKeys<LegalRepresentative>()({
  schema: 'enterprise',
  pointer: '/$defs/legalRepresentative',
  required: ['fullName', 'position'],
  optional: ['personalId'],
});

/**
 * Enterprise or dependent unit from the National Business Registration Database. ENTERPRISE: 10-digit
 * code, `type` required, no parent. BRANCH / REPRESENTATIVE_OFFICE: 13-character code and
 * `parentEnterpriseCode` required.
 */
export interface Enterprise {
  enterpriseCode: string;
  kind: EnterpriseKind;
  name: string;
  foreignName?: string;
  shortName?: string;
  /** Legal form (loại hình doanh nghiệp); required for kind ENTERPRISE. */
  type?: LegalForm;
  status: EnterpriseStatus;
  registrationDate: IsoDate;
  lastAmendmentDate?: IsoDate;
  amendmentCount?: number;
  headOfficeAddress: Address;
  legalRepresentatives?: LegalRepresentative[];
  /** Charter capital in VND. */
  charterCapital?: number;
  /** Required for BRANCH and REPRESENTATIVE_OFFICE. */
  parentEnterpriseCode?: string;
  /** True when the 10-digit root fails the check-digit rule. */
  checkDigitWarning: boolean;
  provenance: Provenance;
}
export const ENTERPRISE_KEYS = contractKeys<Enterprise>()({
  schema: 'enterprise',
  pointer: '',
  required: [
    'enterpriseCode',
    'kind',
    'name',
    'status',
    'registrationDate',
    'headOfficeAddress',
    'checkDigitWarning',
    'provenance',
  ],
  optional: [
    'foreignName',
    'shortName',
    'type',
    'lastAmendmentDate',
    'amendmentCount',
    'legalRepresentatives',
    'charterCapital',
    'parentEnterpriseCode',
  ],
});

// ---------------------------------------------------------------------------------------------------
// land-parcel.v1.json

export interface OldNumbering {
  mapSheetNo: string;
  parcelNo: string;
  legacyCommuneCode?: string;
}
export const OLD_NUMBERING_KEYS = contractKeys<OldNumbering>()({
  schema: 'land-parcel',
  pointer: '/$defs/oldNumbering',
  required: ['mapSheetNo', 'parcelNo'],
  optional: ['legacyCommuneCode'],
});

export const LAND_USE_TERMS = ['LONG_TERM', 'FIXED'] as const;
export type LandUseTerm = (typeof LAND_USE_TERMS)[number];

export interface LandUse {
  /** Land-use symbol, e.g. `ONT`, `ODT`, `LUC`, `CLN`. */
  code: string;
  name?: string;
  /** m² */
  area: number;
  term: LandUseTerm;
  /** Required when term is FIXED, absent when LONG_TERM. */
  until?: IsoDate;
  origin?: string;
}
export const LAND_USE_KEYS = contractKeys<LandUse>()({
  schema: 'land-parcel',
  pointer: '/$defs/landUse',
  required: ['code', 'area', 'term'],
  optional: ['name', 'until', 'origin'],
});

export const LAND_HOLDER_KINDS = ['PERSON', 'ENTERPRISE', 'ORGANISATION'] as const;
export type LandHolderKind = (typeof LAND_HOLDER_KINDS)[number];

/** PERSON: no enterpriseCode. ENTERPRISE: enterpriseCode required, no personal ids. ORGANISATION: no personal ids. */
export interface LandHolder {
  kind: LandHolderKind;
  fullName: string;
  personalId?: string;
  legacyIdCard?: string;
  enterpriseCode?: string;
  /** Fraction in (0, 1]. */
  share?: number;
}
export const LAND_HOLDER_KEYS = contractKeys<LandHolder>()({
  schema: 'land-parcel',
  pointer: '/$defs/holder',
  required: ['kind', 'fullName'],
  optional: ['personalId', 'legacyIdCard', 'enterpriseCode', 'share'],
});

export interface LandCertificate {
  /** Issue number / serial (số phát hành). */
  certificateNo: string;
  /** Number in the issuance register (số vào sổ). */
  registryNo?: string;
  issuedOn: IsoDate;
  issuedBy?: string;
}
export const LAND_CERTIFICATE_KEYS = contractKeys<LandCertificate>()({
  schema: 'land-parcel',
  pointer: '/$defs/certificate',
  required: ['certificateNo', 'issuedOn'],
  optional: ['registryNo', 'issuedBy'],
});

export const ENCUMBRANCE_KINDS = ['MORTGAGE', 'LEASE', 'DISPUTE', 'INJUNCTION', 'EASEMENT', 'OTHER'] as const;
export type EncumbranceKind = (typeof ENCUMBRANCE_KINDS)[number];

export interface Encumbrance {
  kind: EncumbranceKind;
  registeredOn: IsoDate;
  holder?: string;
  note?: string;
}
export const ENCUMBRANCE_KEYS = contractKeys<Encumbrance>()({
  schema: 'land-parcel',
  pointer: '/$defs/encumbrance',
  required: ['kind', 'registeredOn'],
  optional: ['holder', 'note'],
});

/** Land parcel from the National Land Database, keyed by communeCode + mapSheetNo + parcelNo. */
export interface LandParcel {
  parcelId?: string;
  communeCode: string;
  mapSheetNo: string;
  parcelNo: string;
  oldNumbering?: OldNumbering;
  /** m² */
  area: number;
  address?: Address;
  landUses?: LandUse[];
  holders?: LandHolder[];
  certificates?: LandCertificate[];
  encumbrances?: Encumbrance[];
  provenance: Provenance;
}
export const LAND_PARCEL_KEYS = contractKeys<LandParcel>()({
  schema: 'land-parcel',
  pointer: '',
  required: ['communeCode', 'mapSheetNo', 'parcelNo', 'area', 'provenance'],
  optional: ['parcelId', 'oldNumbering', 'address', 'landUses', 'holders', 'certificates', 'encumbrances'],
});

// ---------------------------------------------------------------------------------------------------
// dossier-status-event.v1.json

export const DOSSIER_STATUSES = [
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
] as const;
export type DossierStatus = (typeof DOSSIER_STATUSES)[number];

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

export const DOSSIER_CHANNELS = ['ONLINE', 'COUNTER', 'POSTAL'] as const;
export type DossierChannel = (typeof DOSSIER_CHANNELS)[number];

export interface DossierHandler {
  name: string;
  position?: string;
  department?: string;
}
export const DOSSIER_HANDLER_KEYS = contractKeys<DossierHandler>()({
  schema: 'dossier-status-event',
  pointer: '/$defs/handler',
  required: ['name'],
  optional: ['position', 'department'],
});

export interface DocumentCounts {
  componentsSubmitted?: number;
  componentsDigitised?: number;
  /** Total reused, from the reuse store and the national portal. */
  componentsReused?: number;
  /** The part of componentsReused that came from the national portal. */
  componentsReusedFromPortal?: number;
  resultsDigitised?: number;
}
export const DOCUMENT_COUNTS_KEYS = contractKeys<DocumentCounts>()({
  schema: 'dossier-status-event',
  pointer: '/$defs/documentCounts',
  required: [],
  optional: [
    'componentsSubmitted',
    'componentsDigitised',
    'componentsReused',
    'componentsReusedFromPortal',
    'resultsDigitised',
  ],
});

export interface DossierPayment {
  required: boolean;
  paidOnline?: boolean;
}
export const DOSSIER_PAYMENT_KEYS = contractKeys<DossierPayment>()({
  schema: 'dossier-status-event',
  pointer: '/$defs/payment',
  required: ['required'],
  optional: ['paidOnline'],
});

export interface DossierRating {
  /** 1 (very dissatisfied) to 5 (very satisfied). */
  score: number;
  ratedAt?: IsoDateTime;
}
export const DOSSIER_RATING_KEYS = contractKeys<DossierRating>()({
  schema: 'dossier-status-event',
  pointer: '/$defs/rating',
  required: ['score'],
  optional: ['ratedAt'],
});

/** A dossier status change; published keyed by dossierCode. */
export interface DossierStatusEvent {
  /** UUID; the idempotency key. */
  eventId: string;
  dossierCode: string;
  agencyCode: string;
  procedureCode: string;
  sectorCode?: string;
  status: DossierStatus;
  /** Must equal PORTAL_STATUS_CODES[status] when present. */
  portalStatusCode?: number;
  occurredAt: IsoDateTime;
  dueAt?: IsoDateTime;
  channel: DossierChannel;
  applicant: PartyRef;
  handler?: DossierHandler;
  note?: string;
  documents?: DocumentCounts;
  payment?: DossierPayment;
  rating?: DossierRating;
}
export const DOSSIER_STATUS_EVENT_KEYS = contractKeys<DossierStatusEvent>()({
  schema: 'dossier-status-event',
  pointer: '',
  required: [
    'eventId',
    'dossierCode',
    'agencyCode',
    'procedureCode',
    'status',
    'occurredAt',
    'channel',
    'applicant',
  ],
  optional: ['sectorCode', 'portalStatusCode', 'dueAt', 'handler', 'note', 'documents', 'payment', 'rating'],
});

// ---------------------------------------------------------------------------------------------------
// ministry-dossier-status-event.v1.json

/**
 * The applicant as a ministry sees it: the granted identifier (personalId for a CITIZEN, enterpriseCode
 * for an ENTERPRISE or ORGANISATION) or, when not granted, the ministry's pseudonym of it; never both.
 */
export interface MinistryApplicant {
  kind: PartyKind;
  personalId?: string;
  enterpriseCode?: string;
  /** Unpadded base64url HMAC-SHA256 (43 characters), per ministry. */
  pseudonym?: string;
}
export const MINISTRY_APPLICANT_KEYS = contractKeys<MinistryApplicant>()({
  schema: 'ministry-dossier-status-event',
  pointer: '/$defs/applicant',
  required: ['kind'],
  optional: ['personalId', 'enterpriseCode', 'pseudonym'],
});

/** A dossier status event cut down to what one ministry is granted; published on its own topic. */
export interface MinistryDossierStatusEvent {
  eventId: string;
  dossierCode: string;
  agencyCode: string;
  procedureCode: string;
  /** The sector the event was routed by. */
  sectorCode: string;
  status: DossierStatus;
  portalStatusCode?: number;
  occurredAt: IsoDateTime;
  dueAt?: IsoDateTime;
  channel: DossierChannel;
  applicant: MinistryApplicant;
  /** Only when granted. */
  handler?: DossierHandler;
  /** Only when granted. */
  note?: string;
  documents?: DocumentCounts;
  payment?: DossierPayment;
  /** Only when granted. */
  rating?: DossierRating;
}
export const MINISTRY_DOSSIER_STATUS_EVENT_KEYS = contractKeys<MinistryDossierStatusEvent>()({
  schema: 'ministry-dossier-status-event',
  pointer: '',
  required: [
    'eventId',
    'dossierCode',
    'agencyCode',
    'procedureCode',
    'sectorCode',
    'status',
    'occurredAt',
    'channel',
    'applicant',
  ],
  optional: ['portalStatusCode', 'dueAt', 'handler', 'note', 'documents', 'payment', 'rating'],
});

// ---------------------------------------------------------------------------------------------------
// reusable-document.v1.json

export interface IssuingAgency {
  agencyCode?: string;
  name: string;
}
export const ISSUING_AGENCY_KEYS = contractKeys<IssuingAgency>()({
  schema: 'reusable-document',
  pointer: '/$defs/issuingAgency',
  required: ['name'],
  optional: ['agencyCode'],
});

export interface ContentHash {
  algorithm: 'sha256';
  /** 64 lowercase hex characters. */
  value: string;
}
export const CONTENT_HASH_KEYS = contractKeys<ContentHash>()({
  schema: 'reusable-document',
  pointer: '/$defs/contentHash',
  required: ['algorithm', 'value'],
  optional: [],
});

export const SIGNATURE_STATUSES = ['VALID', 'INVALID', 'ABSENT'] as const;
export type SignatureStatus = (typeof SIGNATURE_STATUSES)[number];

/** VALID/INVALID require verifiedAt; ABSENT has no signer. */
export interface SignatureVerification {
  status: SignatureStatus;
  signer?: string;
  verifiedAt?: IsoDateTime;
}
export const SIGNATURE_VERIFICATION_KEYS = contractKeys<SignatureVerification>()({
  schema: 'reusable-document',
  pointer: '/$defs/signature',
  required: ['status'],
  optional: ['signer', 'verifiedAt'],
});

/** A verified document or result in the reuse store. revoked=true requires revokedAt. */
export interface ReusableDocument {
  documentId: string;
  owner: PartyRef;
  documentType: string;
  title?: string;
  documentCode?: string;
  issuingAgency: IssuingAgency;
  dossierCode?: string;
  issuedOn: IsoDate;
  validFrom?: IsoDate;
  /** Absent: no expiry. */
  validUntil?: IsoDate;
  mediaType?: string;
  contentHash: ContentHash;
  storageRef: string;
  signature?: SignatureVerification;
  revoked: boolean;
  revokedAt?: IsoDateTime;
  supersededBy?: string;
  registeredAt: IsoDateTime;
}
export const REUSABLE_DOCUMENT_KEYS = contractKeys<ReusableDocument>()({
  schema: 'reusable-document',
  pointer: '',
  required: [
    'documentId',
    'owner',
    'documentType',
    'issuingAgency',
    'issuedOn',
    'contentHash',
    'storageRef',
    'revoked',
    'registeredAt',
  ],
  optional: [
    'title',
    'documentCode',
    'dossierCode',
    'validFrom',
    'validUntil',
    'mediaType',
    'signature',
    'revokedAt',
    'supersededBy',
  ],
});

// ---------------------------------------------------------------------------------------------------
// indicator-report.v1.json

export const PERIOD_KINDS = ['DAY', 'MONTH', 'QUARTER', 'YEAR'] as const;
export type PeriodKind = (typeof PERIOD_KINDS)[number];

export interface ReportingPeriod {
  kind: PeriodKind;
  /** `2026-10-31` (DAY), `2026-10` (MONTH), `2026-Q4` (QUARTER), `2026` (YEAR). */
  key: string;
}
export const REPORTING_PERIOD_KEYS = contractKeys<ReportingPeriod>()({
  schema: 'indicator-report',
  pointer: '/$defs/period',
  required: ['kind', 'key'],
  optional: [],
});

export interface IndicatorCounts {
  received: number;
  resolvedOnTime: number;
  resolvedLate: number;
  pendingInTime: number;
  pendingOverdue: number;
  receivedOnline: number;
  paidOnline: number;
  digitisedAtIntake: number;
  resultsDigitised: number;
  componentsReusedFromStore: number;
  componentsReusedFromPortal: number;
  ratings: number;
  ratingsSatisfied: number;
}
export const INDICATOR_COUNTS_KEYS = contractKeys<IndicatorCounts>()({
  schema: 'indicator-report',
  pointer: '/$defs/counts',
  required: [
    'received',
    'resolvedOnTime',
    'resolvedLate',
    'pendingInTime',
    'pendingOverdue',
    'receivedOnline',
    'paidOnline',
    'digitisedAtIntake',
    'resultsDigitised',
    'componentsReusedFromStore',
    'componentsReusedFromPortal',
    'ratings',
    'ratingsSatisfied',
  ],
  optional: [],
});

/** Decision 766/QĐ-TTg groups and their maximum points (total 100). */
export const INDICATOR_MAX_POINTS = Object.freeze({
  CKMB: 18,
  TDGQ: 20,
  CLGQ: 12,
  TTTT: 10,
  MDHL: 18,
  MDSH: 22,
} as const);
export type IndicatorGroup = keyof typeof INDICATOR_MAX_POINTS;

export type IndicatorScores = Record<IndicatorGroup, number> & { total: number };
export const INDICATOR_SCORES_KEYS = contractKeys<IndicatorScores>()({
  schema: 'indicator-report',
  pointer: '/$defs/scores',
  required: ['CKMB', 'TDGQ', 'CLGQ', 'TTTT', 'MDHL', 'MDSH', 'total'],
  optional: [],
});

export interface IndicatorReport {
  agencyCode: string;
  period: ReportingPeriod;
  formulaVersion: string;
  /** Revision for the same agency and period, from 1. */
  version: number;
  counts: IndicatorCounts;
  scores: IndicatorScores;
  generatedAt: IsoDateTime;
}
export const INDICATOR_REPORT_KEYS = contractKeys<IndicatorReport>()({
  schema: 'indicator-report',
  pointer: '',
  required: ['agencyCode', 'period', 'formulaVersion', 'version', 'counts', 'scores', 'generatedAt'],
  optional: [],
});

// ---------------------------------------------------------------------------------------------------
// problem.v1.json

export interface ProblemFieldError {
  /** JSON pointer into the request body. */
  path: string;
  code: string;
  message: string;
}
export const PROBLEM_FIELD_ERROR_KEYS = contractKeys<ProblemFieldError>()({
  schema: 'problem',
  pointer: '/$defs/fieldError',
  required: ['path', 'code', 'message'],
  optional: [],
});

/** RFC 9457 problem details as the HTTP API returns them (application/problem+json). */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  /** Stable UPPER_SNAKE code. */
  code: string;
  requestId: string;
  errors?: ProblemFieldError[];
  /** Extensions (RFC 9457): per-item outcomes and counts of a partly refused batch. */
  results?: Record<string, unknown>[];
  accepted?: number;
  duplicates?: number;
  rejected?: number;
  /** Extensions of the reuse store's refusals. */
  reason?: string;
  documentStatus?: string;
  documentId?: string;
}
/** The members a problem may carry beyond RFC 9457's and the code, request id and field errors. */
export type ProblemExtensions = Partial<
  Pick<
    Problem,
    'results' | 'accepted' | 'duplicates' | 'rejected' | 'reason' | 'documentStatus' | 'documentId'
  >
>;
export const PROBLEM_KEYS = contractKeys<Problem>()({
  schema: 'problem',
  pointer: '',
  required: ['type', 'title', 'status', 'code', 'requestId'],
  optional: [
    'detail',
    'instance',
    'errors',
    'results',
    'accepted',
    'duplicates',
    'rejected',
    'reason',
    'documentStatus',
    'documentId',
  ],
});

// ---------------------------------------------------------------------------------------------------
// audit-record.v1.json

export const AUDIT_SUBJECT_KINDS = [
  'CITIZEN',
  'ENTERPRISE',
  'PARCEL',
  'DOSSIER',
  'DOCUMENT',
  'NONE',
] as const;
export type AuditSubjectKind = (typeof AUDIT_SUBJECT_KINDS)[number];

export const AUDIT_OUTCOMES = [
  'OK',
  'NOT_FOUND',
  'DENIED',
  'INVALID',
  'UPSTREAM_ERROR',
  'STALE_SERVED',
  'ERROR',
] as const;
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];

export const AUDIT_UPSTREAMS = [
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
] as const;
export type AuditUpstream = (typeof AUDIT_UPSTREAMS)[number];

export const AUDIT_CACHE_RESULTS = ['HIT', 'MISS', 'STALE'] as const;
export type AuditCacheResult = (typeof AUDIT_CACHE_RESULTS)[number];

/**
 * One exchange in the audit hash chain (libs/audit): a lookup, a dossier event, a portal or operations-center
 * call, a reuse-store change or an operator action. `hash` is SHA-256 of the RFC 8785 canonical JSON of
 * the record without `hash`; subjects are keyed hashes, never identifiers.
 */
export interface AuditRecord {
  id: string;
  /** Decimal string; gap-free chain order. */
  seq: string;
  occurredAt: IsoDateTime;
  requestId: string;
  clientId: string;
  credentialId?: string;
  service: string;
  /** Absent only when the request was refused before it declared one. */
  purpose?: string;
  legalBasis?: string;
  dossierCode?: string;
  subjectKind: AuditSubjectKind;
  subjectKeyId: string;
  subjectHash?: string;
  relatedSubjectHashes?: string[];
  outcome: AuditOutcome;
  outcomeCode?: string;
  upstream: AuditUpstream;
  upstreamLatencyMs?: number;
  cache?: AuditCacheResult;
  fieldsReturned?: string[];
  fieldsWithheld?: string[];
  /** Only on a retention run's own record: what it removed. */
  pruned?: AuditPrunedRange;
  prevHash: string;
  hash: string;
}

/** The prefix of the chain a retention run removed, named by its own record. */
export interface AuditPrunedRange {
  fromSeq: string;
  toSeq: string;
  /** hash of record toSeq: the prevHash of the new first record. */
  lastHash: string;
}
export const AUDIT_PRUNED_RANGE_KEYS = contractKeys<AuditPrunedRange>()({
  schema: 'audit-record',
  pointer: '/properties/pruned',
  required: ['fromSeq', 'toSeq', 'lastHash'],
  optional: [],
});
export const AUDIT_RECORD_KEYS = contractKeys<AuditRecord>()({
  schema: 'audit-record',
  pointer: '',
  required: [
    'id',
    'seq',
    'occurredAt',
    'requestId',
    'clientId',
    'service',
    'subjectKind',
    'subjectKeyId',
    'outcome',
    'upstream',
    'prevHash',
    'hash',
  ],
  optional: [
    'credentialId',
    'purpose',
    'legalBasis',
    'dossierCode',
    'subjectHash',
    'relatedSubjectHashes',
    'outcomeCode',
    'upstreamLatencyMs',
    'cache',
    'fieldsReturned',
    'fieldsWithheld',
    'pruned',
  ],
});

// ---------------------------------------------------------------------------------------------------
// audit-checkpoint.v1.json

/** A signed statement of the audit chain head (libs/audit); signs every record up to `seq`. */
export interface AuditCheckpoint {
  seq: string;
  hash: string;
  genesisSeq: string;
  genesisPrevHash: string;
  createdAt: IsoDateTime;
  /** SHA-256 (hex) of the signer's SubjectPublicKeyInfo. */
  keyId: string;
  algorithm: 'RSASSA-PKCS1-v1_5-SHA256';
  /** base64 */
  signature: string;
}
export const AUDIT_CHECKPOINT_KEYS = contractKeys<AuditCheckpoint>()({
  schema: 'audit-checkpoint',
  pointer: '',
  required: ['seq', 'hash', 'genesisSeq', 'genesisPrevHash', 'createdAt', 'keyId', 'algorithm', 'signature'],
  optional: [],
});

// chain-event.v1.json

export const CHAIN_EVENT_KINDS = [
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
] as const;
export type ChainEventKind = (typeof CHAIN_EVENT_KINDS)[number];

/** One transition of a procedure chain, on lgsp.chain.events.v1 keyed by the parent dossier code. */
export interface ChainEvent {
  parentDossierCode: string;
  chainCode: string;
  agencyCode: string;
  kind: ChainEventKind;
  step?: string;
  chainStatus: 'RUNNING' | 'COMPLETED' | 'STOPPED' | 'FAILED';
  /** step.done: the names of the fields the step produced, never their values. */
  produced?: string[];
  refusal?: { code: string; reason: string };
  error?: string;
  dueAt?: IsoDateTime;
  at: IsoDateTime;
}
export const CHAIN_EVENT_KEYS = contractKeys<ChainEvent>()({
  schema: 'chain-event',
  pointer: '',
  required: ['parentDossierCode', 'chainCode', 'agencyCode', 'kind', 'chainStatus', 'at'],
  optional: ['step', 'produced', 'refusal', 'error', 'dueAt'],
});
export const CHAIN_EVENT_REFUSAL_KEYS = contractKeys<NonNullable<ChainEvent['refusal']>>()({
  schema: 'chain-event',
  pointer: '/properties/refusal',
  required: ['code', 'reason'],
  optional: [],
});

// ---------------------------------------------------------------------------------------------------
// payment-status.v1.json

/** The outcome of an online payment of a dossier fee at the national payment platform (lgsp.payment.status.v1). */
export interface PaymentStatus {
  /** UUID of this outcome; the idempotency key. */
  paymentId: string;
  transactionNo: string;
  orderId: string;
  dossierCode: string;
  agencyCode: string;
  /** Whole VND. */
  amount: number;
  currency: 'VND';
  feeDescription?: string;
  status: 'CONFIRMED' | 'FAILED';
  occurredAt: IsoDateTime;
  paidAt?: IsoDateTime;
}
export const PAYMENT_STATUS_KEYS = contractKeys<PaymentStatus>()({
  schema: 'payment-status',
  pointer: '',
  required: [
    'paymentId',
    'transactionNo',
    'orderId',
    'dossierCode',
    'agencyCode',
    'amount',
    'currency',
    'status',
    'occurredAt',
  ],
  optional: ['feeDescription', 'paidAt'],
});

// ---------------------------------------------------------------------------------------------------
// delivery-status-event.v1.json

export type DeliveryStatus = 'CREATED' | 'PICKED_UP' | 'IN_TRANSIT' | 'DELIVERED' | 'RETURNED';

/** A tracking state of a dossier result's postal delivery (lgsp.delivery.status.v1); no receiver data. */
export interface DeliveryStatusEvent {
  eventId: string;
  dossierCode: string;
  agencyCode: string;
  /** The postal operator's waybill number. */
  orderNumber: string;
  status: DeliveryStatus;
  previousStatus?: 'CREATED' | 'PICKED_UP' | 'IN_TRANSIT';
  occurredAt: IsoDateTime;
  recordedAt: IsoDateTime;
}
export const DELIVERY_STATUS_EVENT_KEYS = contractKeys<DeliveryStatusEvent>()({
  schema: 'delivery-status-event',
  pointer: '',
  required: ['eventId', 'dossierCode', 'agencyCode', 'orderNumber', 'status', 'occurredAt', 'recordedAt'],
  optional: ['previousStatus'],
});

// ---------------------------------------------------------------------------------------------------
// feedback-item.v1.json

/** A citizen feedback item routed to its agency (lgsp.feedback.item.v1): no contact, no content. */
export interface FeedbackItemEvent {
  id: string;
  agencyCode: string;
  procedureCode?: string;
  receivedAt: IsoDateTime;
  dueAt: IsoDateTime;
  status: 'OPEN';
}
export const FEEDBACK_ITEM_KEYS = contractKeys<FeedbackItemEvent>()({
  schema: 'feedback-item',
  pointer: '',
  required: ['id', 'agencyCode', 'receivedAt', 'dueAt', 'status'],
  optional: ['procedureCode'],
});

// ---------------------------------------------------------------------------------------------------
// dossier-handover.v1.json

export const HANDOVER_STATES = ['HANDED_OVER', 'ACCEPTED', 'REFUSED', 'RESULT_RETURNED'] as const;
export type HandoverState = (typeof HANDOVER_STATES)[number];

/** One step of a non-boundary dossier's hand-over (lgsp.dossier.handover.v1, keyed by the competent agency). */
export interface DossierHandoverEvent {
  handoverEventId: string;
  dossierCode: string;
  procedureCode: string;
  receivingAgency: string;
  competentAgency: string;
  state: HandoverState;
  occurredAt: IsoDateTime;
  /** REFUSED: why the competent agency did not take the dossier. */
  reason?: string;
}
export const DOSSIER_HANDOVER_KEYS = contractKeys<DossierHandoverEvent>()({
  schema: 'dossier-handover',
  pointer: '',
  required: [
    'handoverEventId',
    'dossierCode',
    'procedureCode',
    'receivingAgency',
    'competentAgency',
    'state',
    'occurredAt',
  ],
  optional: ['reason'],
});

/** Every key list above; the spec checks each against its schema node and that no object node is missing. */
export const MODEL_KEY_LISTS: readonly KeyList[] = [
  ADDRESS_KEYS,
  PROVENANCE_KEYS,
  PARTY_REF_KEYS,
  CLOUD_EVENT_KEYS,
  HOUSEHOLD_HEAD_KEYS,
  CITIZEN_KEYS,
  LEGAL_REPRESENTATIVE_KEYS,
  ENTERPRISE_KEYS,
  OLD_NUMBERING_KEYS,
  LAND_USE_KEYS,
  LAND_HOLDER_KEYS,
  LAND_CERTIFICATE_KEYS,
  ENCUMBRANCE_KEYS,
  LAND_PARCEL_KEYS,
  DOSSIER_HANDLER_KEYS,
  DOCUMENT_COUNTS_KEYS,
  DOSSIER_PAYMENT_KEYS,
  DOSSIER_RATING_KEYS,
  DOSSIER_STATUS_EVENT_KEYS,
  MINISTRY_APPLICANT_KEYS,
  MINISTRY_DOSSIER_STATUS_EVENT_KEYS,
  ISSUING_AGENCY_KEYS,
  CONTENT_HASH_KEYS,
  SIGNATURE_VERIFICATION_KEYS,
  REUSABLE_DOCUMENT_KEYS,
  REPORTING_PERIOD_KEYS,
  INDICATOR_COUNTS_KEYS,
  INDICATOR_SCORES_KEYS,
  INDICATOR_REPORT_KEYS,
  PROBLEM_FIELD_ERROR_KEYS,
  PROBLEM_KEYS,
  AUDIT_RECORD_KEYS,
  FEEDBACK_ITEM_KEYS,
  DOSSIER_HANDOVER_KEYS,
  AUDIT_PRUNED_RANGE_KEYS,
  AUDIT_CHECKPOINT_KEYS,
  CHAIN_EVENT_KEYS,
  CHAIN_EVENT_REFUSAL_KEYS,
  PAYMENT_STATUS_KEYS,
  DELIVERY_STATUS_EVENT_KEYS,
];
