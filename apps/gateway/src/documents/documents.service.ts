import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import type { PartyRef, ReusableDocument } from '@lienthong/contracts';
import { AuditLog, type AuditEntry } from '@lienthong/audit';
import { repoRoot } from '@lienthong/config';
import { counter, createLogger, ProblemException, type AppLogger } from '@lienthong/observability';
import { parseDossierCode, vietnamDate } from '@lienthong/domain';
import {
  AccessPolicy,
  ClientRegistry,
  denial,
  maskToScope,
  type AccessScope,
  type CallContext,
} from '@lienthong/security';
import { PkiDirectoryTrust, TrustUnavailableError, type AgencyTrustSource } from './agency-trust';
import {
  DocumentSignatureError,
  verifyDocumentSignature,
  type DocumentSignatureFailure,
  type VerifiedDocumentSignature,
} from './document-signature';
import { OwnerHasher, ownerParty, ownerSubject, type DocumentOwner } from './document-owner';
import {
  DocumentReuseRepository,
  DocumentsRepository,
  toReusableDocument,
  type DocumentRow,
  type DocumentStatus,
} from '@lienthong/documents';
import { DOCUMENTS_OPTIONS, type DocumentsModuleOptions } from './documents.options';
import { parseRegistration, type DocumentDescription } from './dtos/register-document.dto';
import { checkDocumentId, parseRevocation } from './dtos/revoke-document.dto';
import { parseSearch, type DocumentSearch } from './dtos/search-documents.dto';
import { isPlainObject, type Notice } from './dtos/request-checks';

/** Most documents one search returns (newest issue first); `truncated` says when there were more. */
export const MAX_SEARCH_RESULTS = 100;

export type RequestContext = CallContext;

/** What the audit record of a search says about its purpose. */
type DeclaredPurpose = Pick<AccessScope, 'purpose' | 'legalBasis'>;

export interface RegisteredDocument {
  id: string;
  status: DocumentStatus;
  signed: boolean;
  document: ReusableDocument;
  /** E.g. DOCUMENT_UNSIGNED, ENTERPRISE_CODE_CHECK_DIGIT. */
  notices: Notice[];
}

export interface DocumentSearchResult {
  count: number;
  truncated: boolean;
  /** Canonical records reduced to the caller's field scope. */
  documents: Partial<ReusableDocument>[];
}

export interface RevokedDocument {
  id: string;
  status: DocumentStatus;
  revoked: true;
  revokedAt: string;
  reason: string;
  supersededBy?: string;
}

const registered = counter({
  name: 'lgsp_reuse_documents_registered_total',
  help: 'Documents registered in the reuse store, by signature status (VALID or ABSENT)',
  labelNames: ['signature'] as const,
});
const signatureRejections = counter({
  name: 'lgsp_reuse_signature_rejections_total',
  help: 'Document registrations refused because of their signature, by reason',
  labelNames: ['reason'] as const,
});
const searches = counter({
  name: 'lgsp_reuse_searches_total',
  help: 'Searches of the reuse store, by audit outcome (OK, NOT_FOUND, INVALID, DENIED, ERROR)',
  labelNames: ['outcome'] as const,
});
const reuses = counter({
  name: 'lgsp_reuse_documents_reused_total',
  help: 'Documents newly recorded as reused by a dossier',
});

function problemOfSignature(error: DocumentSignatureError): ProblemException {
  return new ProblemException(
    422,
    'DOCUMENT_SIGNATURE_INVALID',
    'Invalid document signature',
    error.message,
    [{ path: '/detachedSignature', code: error.reason, message: error.message }],
    {},
    { reason: error.reason satisfies DocumentSignatureFailure },
  );
}

/**
 * The reuse store (kho quản lý dữ liệu điện tử): registration of verified documents when a dossier is
 * resolved, search by owner for the next dossier (masked and audited like a lookup, each result recorded
 * as reused by the dossier), and revocation or supersession.
 */
@Injectable()
export class DocumentsService implements OnModuleInit {
  private readonly owners: OwnerHasher;
  private readonly trust: AgencyTrustSource;
  private readonly logger: AppLogger;
  private readonly now: () => Date;

  constructor(
    @Inject(DOCUMENTS_OPTIONS) options: DocumentsModuleOptions,
    private readonly documents: DocumentsRepository,
    private readonly reuse: DocumentReuseRepository,
    private readonly audit: AuditLog,
    private readonly registry: ClientRegistry,
    private readonly policy: AccessPolicy,
  ) {
    this.logger = (options.logger ?? createLogger({ name: 'lienthong-documents' })).child({
      component: 'reuse-store',
    });
    this.owners = new OwnerHasher(options.subjectKey, options.previousSubjectKeys);
    this.trust =
      options.trust ??
      new PkiDirectoryTrust(resolve(repoRoot(), options.pkiDir ?? 'var/pki'), (store) =>
        this.logger.info(
          { agencies: store.agencyCodes(), problems: store.problems },
          'agency certificates loaded for document signatures',
        ),
      );
    this.now = options.now ?? (() => new Date());
  }

  onModuleInit(): void {
    if (this.audit.subjectKeyId !== this.owners.keyId) {
      throw new Error(
        'the reuse store and the audit log must hash subjects with the same AUDIT_SUBJECT_KEY ' +
          `(documents: key ${this.owners.keyId}, audit: key ${this.audit.subjectKeyId})`,
      );
    }
  }

  async register(body: unknown, context: RequestContext): Promise<RegisteredDocument> {
    const now = this.now();
    const registration = parseRegistration(body, vietnamDate(now));
    const { document, owner } = registration;
    await this.requireRegistrationInScope(document, owner, context);
    const notices = [...registration.notices];
    const signature =
      registration.detachedSignature === undefined
        ? undefined
        : this.verifySignature(registration.detachedSignature, document, now);
    if (!signature) {
      notices.push({
        code: 'DOCUMENT_UNSIGNED',
        message:
          'Registered without a digital signature (signature.status ABSENT): the content hash is recorded as ' +
          'given and nothing vouches for the issuer.',
      });
    }
    const hashes = this.owners.hashes(owner);
    const existing = await this.documents.findActiveByContent(hashes, document.contentHash.value);
    if (existing) throw this.alreadyRegistered(existing);
    let row: DocumentRow;
    try {
      row = await this.documents.insert({
        id: randomUUID(),
        ownerKind: owner.kind,
        owner: this.owners.hash(owner),
        document,
        ...(signature
          ? {
              signature: {
                der: signature.der,
                signer: signature.signer,
                certificateFingerprint: signature.certificateFingerprint,
                verifiedAt: signature.verifiedAt,
              },
            }
          : {}),
        registeredBy: context.caller.clientId,
        requestId: context.requestId,
      });
    } catch (error) {
      // a concurrent registration of the same content for the same owner won the unique index
      if ((error as { code?: unknown }).code === '23505') {
        const winner = await this.documents.findActiveByContent(hashes, document.contentHash.value);
        if (winner) throw this.alreadyRegistered(winner);
      }
      throw error;
    }
    registered.inc({ signature: signature ? 'VALID' : 'ABSENT' });
    await this.recordDocument(context, 'documents.register', {
      subject: { kind: 'DOCUMENT', identifier: row.id },
      relatedSubjects: [ownerSubject(owner)],
      dossierCode: document.dossierCode,
      outcome: 'OK',
    });
    return {
      id: row.id,
      status: row.status,
      signed: signature !== undefined,
      document: toReusableDocument(row, ownerParty(owner)),
      notices,
    };
  }

  async search(body: unknown, context: RequestContext): Promise<DocumentSearchResult> {
    const parsed = parseSearch(body);
    if ('refused' in parsed) {
      const { refused } = parsed;
      await this.recordSearch(context, context.access, {
        subject: {
          kind: refused.subjectKind,
          ...(refused.identifier ? { identifier: refused.identifier } : {}),
        },
        dossierCode: refused.dossierCode,
        outcome: 'INVALID',
        outcomeCode: refused.problem.code,
      });
      throw refused.problem;
    }
    const { search } = parsed;
    const owner: DocumentOwner = search.owner;
    const subject = ownerSubject(owner);
    try {
      const rows = await this.documents.findReusable(
        this.owners.hashes(owner),
        owner.kind === 'CITIZEN' ? ['CITIZEN'] : ['ENTERPRISE', 'ORGANISATION'],
        { documentType: search.documentType, today: vietnamDate(this.now()), limit: MAX_SEARCH_RESULTS + 1 },
      );
      const found = rows.slice(0, MAX_SEARCH_RESULTS);
      await this.rekey(found, owner);
      const returned = new Set<string>();
      const withheld = new Set<string>();
      const documents = found.map((row) => {
        const masked = maskToScope(toReusableDocument(row, this.partyOf(row, search)), context.access.fields);
        Object.keys(masked.record).forEach((field) => returned.add(field));
        [...masked.removed, ...masked.trimmed].forEach((field) => withheld.add(field));
        return masked.record;
      });
      if (search.dossierCode !== undefined && found.length > 0) {
        const added = await this.reuse.record(
          found.map((row) => row.id),
          {
            dossierCode: search.dossierCode,
            clientId: context.caller.clientId,
            requestId: context.requestId,
          },
        );
        reuses.inc(added);
      }
      await this.recordSearch(context, context.access, {
        subject,
        dossierCode: search.dossierCode,
        outcome: found.length > 0 ? 'OK' : 'NOT_FOUND',
        ...(returned.size > 0 ? { fieldsReturned: [...returned] } : {}),
        ...(withheld.size > 0 ? { fieldsWithheld: [...withheld] } : {}),
      });
      return { count: documents.length, truncated: rows.length > MAX_SEARCH_RESULTS, documents };
    } catch (error) {
      if (!(error instanceof ProblemException)) {
        await this.recordSearch(context, context.access, {
          subject,
          dossierCode: search.dossierCode,
          outcome: 'ERROR',
          outcomeCode: 'INTERNAL',
        });
      }
      throw error;
    }
  }

  /**
   * The audit record of a search the access policy or the rate limit refused before it reached the use
   * case (see SearchRefusalFilter): DENIED for 403 and 429, INVALID for a missing purpose or dossier code.
   * Only values that pass validation are kept: the owner identifier, the dossier code, a catalogue purpose.
   */
  async recordRefusedSearch(
    body: unknown,
    context: Omit<RequestContext, 'access'>,
    problem: ProblemException,
  ): Promise<void> {
    const parsed = parseSearch(body);
    const declared = isPlainObject(body) ? body.purpose : undefined;
    const purpose = typeof declared === 'string' ? this.registry.purpose(declared) : undefined;
    await this.recordSearch(
      context,
      purpose ? { purpose: purpose.code, legalBasis: purpose.legalBasis } : {},
      {
        subject:
          'search' in parsed
            ? ownerSubject(parsed.search.owner)
            : {
                kind: parsed.refused.subjectKind,
                ...(parsed.refused.identifier ? { identifier: parsed.refused.identifier } : {}),
              },
        dossierCode: 'search' in parsed ? parsed.search.dossierCode : parsed.refused.dossierCode,
        outcome: problem.status === 400 ? 'INVALID' : 'DENIED',
        outcomeCode: problem.code,
      },
    );
  }

  async revoke(id: string, body: unknown, context: RequestContext): Promise<RevokedDocument> {
    const documentId = checkDocumentId(id);
    const revocation = parseRevocation(body);
    if (revocation.supersededBy === documentId) {
      throw this.successorProblem('a document cannot supersede itself');
    }
    return this.documents.withTransaction(async (tx) => {
      // lock in id order, so two crossing supersessions cannot deadlock
      const ids = [documentId, ...(revocation.supersededBy ? [revocation.supersededBy] : [])].sort();
      const locked = new Map<string, DocumentRow | null>();
      for (const each of ids) locked.set(each, await this.documents.lock(tx, each));
      const row = locked.get(documentId);
      if (!row) {
        throw new ProblemException(
          404,
          'DOCUMENT_NOT_FOUND',
          'Document not found',
          'No document with this id in the reuse store.',
        );
      }
      if (row.status !== 'ACTIVE') {
        throw new ProblemException(
          409,
          'DOCUMENT_ALREADY_REVOKED',
          'Document already revoked',
          `The document is ${row.status.toLowerCase()} since ${row.revoked_at?.toISOString() ?? 'earlier'}.`,
          undefined,
          {},
          { documentStatus: row.status },
        );
      }
      await this.requireDocumentInScope(row, context);
      if (revocation.supersededBy) {
        const successor = locked.get(revocation.supersededBy);
        if (!successor || successor.status !== 'ACTIVE') {
          throw this.successorProblem('supersededBy must name an active document of the reuse store');
        }
        await this.requireDocumentInScope(successor, context);
        if (successor.owner_key_id !== row.owner_key_id) {
          throw this.successorProblem(
            'the two documents were registered under different subject keys; search for their owner once ' +
              '(which re-keys them) and retry',
          );
        }
        if (successor.owner_hash !== row.owner_hash) {
          throw this.successorProblem('supersededBy names a document of another owner');
        }
      }
      const updated = await this.documents.revoke(tx, documentId, {
        reason: revocation.reason,
        supersededBy: revocation.supersededBy,
        at: this.now(),
        by: context.caller.clientId,
      });
      await this.recordDocument(context, 'documents.revoke', {
        subject: { kind: 'DOCUMENT', identifier: updated.id },
        dossierCode: updated.dossier_code ?? undefined,
        outcome: 'OK',
        outcomeCode: updated.status,
      });
      return {
        id: updated.id,
        status: updated.status,
        revoked: true,
        revokedAt: (updated.revoked_at as Date).toISOString(),
        reason: revocation.reason,
        ...(updated.superseded_by ? { supersededBy: updated.superseded_by } : {}),
      };
    });
  }

  // -------------------------------------------------------------------------------------------------

  /**
   * A client registers documents of its own agencies only: the issuing agency, and the dossier the
   * document resolves, must be in its scope. Refusals are 403 AGENCY_NOT_ALLOWED, audited as DENIED.
   */
  private async requireRegistrationInScope(
    document: DocumentDescription,
    owner: DocumentOwner,
    context: RequestContext,
  ): Promise<void> {
    const agency = document.issuingAgency.agencyCode;
    const dossierAgency =
      document.dossierCode !== undefined ? parseDossierCode(document.dossierCode)?.agencyCode : undefined;
    const refused =
      agency !== undefined && !this.policy.agencyAllowed(context.caller.clientId, agency)
        ? `The issuing agency ${agency}`
        : dossierAgency !== undefined && !this.policy.agencyAllowed(context.caller.clientId, dossierAgency)
          ? `The agency of dossier ${document.dossierCode}`
          : undefined;
    if (!refused) return;
    await this.recordDocument(context, 'documents.register', {
      subject: { kind: 'DOCUMENT' },
      relatedSubjects: [ownerSubject(owner)],
      dossierCode: document.dossierCode,
      outcome: 'DENIED',
      outcomeCode: 'AGENCY_NOT_ALLOWED',
    });
    throw denial(
      'AGENCY_NOT_ALLOWED',
      `${refused} is not one of the agencies client "${context.caller.clientId}" acts for.`,
    );
  }

  /**
   * A document may be revoked (or named as the successor) by a client of its issuing agency; one
   * registered without an agency code, only by the client that registered it.
   */
  private async requireDocumentInScope(row: DocumentRow, context: RequestContext): Promise<void> {
    const clientId = context.caller.clientId;
    const allowed =
      row.issuing_agency_code !== null
        ? this.policy.agencyAllowed(clientId, row.issuing_agency_code)
        : row.registered_by === clientId;
    if (allowed) return;
    await this.recordDocument(context, 'documents.revoke', {
      subject: { kind: 'DOCUMENT', identifier: row.id },
      dossierCode: row.dossier_code ?? undefined,
      outcome: 'DENIED',
      outcomeCode: 'AGENCY_NOT_ALLOWED',
    });
    throw denial(
      'AGENCY_NOT_ALLOWED',
      row.issuing_agency_code !== null
        ? `The document was issued by an agency client "${clientId}" does not act for.`
        : `The document names no issuing agency code; only the client that registered it may revoke it.`,
    );
  }

  private async recordDocument(
    context: RequestContext,
    service: 'documents.register' | 'documents.revoke',
    result: Pick<AuditEntry, 'subject' | 'relatedSubjects' | 'dossierCode' | 'outcome' | 'outcomeCode'>,
  ): Promise<void> {
    await this.audit.record({
      requestId: context.requestId,
      clientId: context.caller.clientId,
      credentialId: context.caller.credentialId,
      service,
      purpose: context.access.purpose,
      legalBasis: context.access.legalBasis,
      upstream: 'reuse-store',
      ...result,
    });
  }

  private verifySignature(
    signature: string,
    document: DocumentDescription,
    now: Date,
  ): VerifiedDocumentSignature {
    let store;
    try {
      store = this.trust.current();
    } catch (error) {
      if (!(error instanceof TrustUnavailableError)) throw error;
      this.logger.warn({ reason: error.message }, 'document signatures cannot be verified');
      throw new ProblemException(
        503,
        'SIGNATURE_TRUST_UNAVAILABLE',
        'Signature verification unavailable',
        'The gateway has no trusted agency certificates configured, so signed documents cannot be verified now; ' +
          'retry later or ask the operators.',
        undefined,
        { 'Retry-After': '60' },
      );
    }
    try {
      return verifyDocumentSignature(
        signature,
        {
          contentSha256: document.contentHash.value,
          agencyCode: document.issuingAgency.agencyCode as string,
        },
        store,
        now,
      );
    } catch (error) {
      if (!(error instanceof DocumentSignatureError)) throw error;
      signatureRejections.inc({ reason: error.reason });
      throw problemOfSignature(error);
    }
  }

  private alreadyRegistered(documentId: string): ProblemException {
    return new ProblemException(
      409,
      'DOCUMENT_ALREADY_REGISTERED',
      'Document already registered',
      'An active document of this owner with the same content hash is already in the reuse store; revoke it ' +
        'first to register a replacement.',
      undefined,
      {},
      { documentId },
    );
  }

  private successorProblem(detail: string): ProblemException {
    return new ProblemException(422, 'SUPERSEDING_DOCUMENT_INVALID', 'Invalid superseding document', detail, [
      { path: '/supersededBy', code: 'SUPERSEDING_DOCUMENT_INVALID', message: detail },
    ]);
  }

  /** The owner as the canonical record shows it: the identifier the caller searched with. */
  private partyOf(row: DocumentRow, search: DocumentSearch): PartyRef {
    return search.owner.kind === 'CITIZEN'
      ? ownerParty(search.owner)
      : { kind: row.owner_kind, enterpriseCode: search.owner.enterpriseCode };
  }

  /** Rows found under an earlier subject key are re-hashed with the current one; best effort. */
  private async rekey(rows: readonly DocumentRow[], owner: DocumentOwner): Promise<void> {
    const stale = rows.filter((row) => row.owner_key_id !== this.owners.keyId).map((row) => row.id);
    if (stale.length === 0) return;
    try {
      await this.documents.rekey(stale, this.owners.hash(owner));
    } catch (error) {
      this.logger.warn(
        { documents: stale.length, error: (error as Error).message },
        'documents found under an earlier subject key could not be re-keyed; they stay findable',
      );
    }
  }

  private async recordSearch(
    context: Omit<RequestContext, 'access'>,
    declared: DeclaredPurpose,
    result: Pick<
      AuditEntry,
      'subject' | 'dossierCode' | 'outcome' | 'outcomeCode' | 'fieldsReturned' | 'fieldsWithheld'
    >,
  ): Promise<void> {
    searches.inc({ outcome: result.outcome });
    await this.audit.record({
      requestId: context.requestId,
      clientId: context.caller.clientId,
      credentialId: context.caller.credentialId,
      service: 'documents.search',
      purpose: declared.purpose,
      legalBasis: declared.legalBasis,
      upstream: 'reuse-store',
      ...result,
    });
  }
}
