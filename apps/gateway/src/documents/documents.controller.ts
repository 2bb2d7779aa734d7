import { Body, Controller, HttpCode, Param, Post, UseFilters } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import { CurrentCall, RequiresService, type CallContext } from '@lienthong/security';
import { DocumentsService, MAX_SEARCH_RESULTS } from './documents.service';
import { REGISTER_DOCUMENT_SCHEMA } from './dtos/register-document.dto';
import { REVOKE_DOCUMENT_SCHEMA } from './dtos/revoke-document.dto';
import { SEARCH_DOCUMENTS_SCHEMA } from './dtos/search-documents.dto';
import { SearchRefusalFilter } from './search-refusal.filter';

const SIGNATURE_NOTE =
  'The optional `detachedSignature` is the base64 of a DER CMS SignedData (PKCS#7), detached, made by the ' +
  "issuing agency over the document's bytes: SHA-256, RSA PKCS#1 v1.5, signed attributes contentType = " +
  'id-data and messageDigest = SHA-256 of the content, which must equal `contentHash.value`; the signer ' +
  'certificate is best included. It is verified against the agency certificates the gateway trusts (the dev ' +
  'PKI: `agency-<code>.crt` issued by its CA): chain to the CA, validity dates today, and the certificate must ' +
  'belong to `issuingAgency.agencyCode`. An invalid signature is refused with 422 DOCUMENT_SIGNATURE_INVALID ' +
  'and a `reason`: MALFORMED_SIGNATURE, UNSUPPORTED_SIGNATURE, SIGNATURE_MISMATCH (altered signature), ' +
  'CONTENT_HASH_MISMATCH (tampered content or wrong hash), UNKNOWN_SIGNER, CERTIFICATE_EXPIRED, ' +
  'CERTIFICATE_NOT_YET_VALID, SIGNER_NOT_ISSUING_AGENCY. Without a signature the document is registered as ' +
  'unsigned (`signature.status` ABSENT, notice DOCUMENT_UNSIGNED).';

@ApiTags('reuse store')
@ApiBearerAuth()
@Controller('v1/documents')
export class DocumentsController {
  constructor(private readonly service: DocumentsService) {}

  @Post()
  @HttpCode(201)
  @RequiresService('documents.register')
  @ApiOperation({
    summary: 'Register a document or result in the reuse store (service documents.register)',
    description:
      'Called when a dossier is resolved, for each digitised result or verified document, so that the next ' +
      'dossier of the same owner finds it instead of asking the applicant again. The body is the canonical ' +
      'record (contracts/schemas/reusable-document.v1.json) without the fields the store assigns. ' +
      `${SIGNATURE_NOTE} One active document per owner and content hash: a repeat is refused with 409 ` +
      'DOCUMENT_ALREADY_REGISTERED carrying the existing `documentId`.',
  })
  @ApiBody({ schema: REGISTER_DOCUMENT_SCHEMA })
  @ApiResponse({
    status: 201,
    description:
      '`{id, status: "ACTIVE", signed, document, notices}`: `document` is the canonical record; `notices` ' +
      'says e.g. DOCUMENT_UNSIGNED or ENTERPRISE_CODE_CHECK_DIGIT.',
  })
  @ApiResponse({
    status: 400,
    description: 'problem+json INVALID_DOCUMENT (shape, per field) or INVALID_IDENTIFIER',
  })
  @ApiResponse({ status: 401, description: 'problem+json UNAUTHENTICATED / INVALID_CREDENTIALS' })
  @ApiResponse({
    status: 403,
    description:
      "problem+json SERVICE_NOT_ALLOWED / PURPOSE_NOT_ALLOWED / AGENCY_NOT_ALLOWED (the issuing agency or the dossier is not of the client's agencies)",
  })
  @ApiResponse({ status: 409, description: 'problem+json DOCUMENT_ALREADY_REGISTERED with `documentId`' })
  @ApiResponse({
    status: 422,
    description:
      'problem+json DOCUMENT_SIGNATURE_INVALID (with `reason`), DOCUMENT_DATES_INVALID, DOCUMENT_EXPIRED, ' +
      'OWNER_IDENTIFIER_REQUIRED, ISSUING_AGENCY_CODE_REQUIRED',
  })
  @ApiResponse({
    status: 503,
    description: 'problem+json SIGNATURE_TRUST_UNAVAILABLE (no agency certificates)',
  })
  register(@Body() body: unknown, @CurrentCall() call: CallContext) {
    return this.service.register(body, call);
  }

  @Post('search')
  @HttpCode(200)
  @RequiresService('documents.search')
  @UseFilters(SearchRefusalFilter)
  @ApiOperation({
    summary: "Find an owner's reusable documents (service documents.search)",
    description:
      'Active documents of the owner (by personal ID or enterprise code, optionally of one type) that are ' +
      'valid today in Viet Nam (validFrom not after, validUntil not before); revoked, superseded and expired ' +
      `ones are left out. Newest issue first, at most ${MAX_SEARCH_RESULTS} (\`truncated\` says when there ` +
      "were more). Each record is reduced to the caller's field scope for documents.search. The search is " +
      'audited like a lookup (service documents.search, the owner as subject, upstream reuse-store), refusals ' +
      'by the access policy too. With a ' +
      '`dossierCode`, each document returned is recorded as reused by that dossier (once per dossier; not ' +
      'for the dossier that registered it): the "not asked again" indicator.',
  })
  @ApiBody({ schema: SEARCH_DOCUMENTS_SCHEMA })
  @ApiResponse({ status: 200, description: '`{count, truncated, documents}`' })
  @ApiResponse({
    status: 400,
    description: 'problem+json INVALID_SEARCH, INVALID_IDENTIFIER, PURPOSE_REQUIRED or DOSSIER_CODE_REQUIRED',
  })
  @ApiResponse({
    status: 403,
    description:
      "problem+json SERVICE_NOT_ALLOWED / PURPOSE_NOT_ALLOWED / AGENCY_NOT_ALLOWED (the dossierCode is not of the client's agencies) / DOSSIER_CLOSED",
  })
  search(@Body() body: unknown, @CurrentCall() call: CallContext) {
    return this.service.search(body, call);
  }

  @Post(':id/revoke')
  @HttpCode(200)
  @RequiresService('documents.register')
  @ApiOperation({
    summary: 'Revoke a document, or mark it superseded by another (service documents.register)',
    description:
      'The document stays in the store for the record but is never returned by a search again. With ' +
      '`supersededBy` (an active document of the same owner) its status becomes SUPERSEDED, otherwise REVOKED.',
  })
  @ApiParam({ name: 'id', description: 'documentId', example: '9b2e4c1a-5d3f-4a6b-8c7d-0e1f2a3b4c5d' })
  @ApiBody({ schema: REVOKE_DOCUMENT_SCHEMA })
  @ApiResponse({
    status: 200,
    description: '`{id, status, revoked: true, revokedAt, reason, supersededBy?}`',
  })
  @ApiResponse({ status: 400, description: 'problem+json INVALID_DOCUMENT_ID or INVALID_REVOCATION' })
  @ApiResponse({
    status: 403,
    description:
      "problem+json SERVICE_NOT_ALLOWED / AGENCY_NOT_ALLOWED (issued by an agency outside the client's; without an agency code, registered by another client)",
  })
  @ApiResponse({ status: 404, description: 'problem+json DOCUMENT_NOT_FOUND' })
  @ApiResponse({ status: 409, description: 'problem+json DOCUMENT_ALREADY_REVOKED (with `documentStatus`)' })
  @ApiResponse({ status: 422, description: 'problem+json SUPERSEDING_DOCUMENT_INVALID' })
  revoke(@Param('id') id: string, @Body() body: unknown, @CurrentCall() call: CallContext) {
    return this.service.revoke(id, body, call);
  }
}
