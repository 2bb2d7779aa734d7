import { parseDossierCode } from '@lienthong/domain';
import { agencyInScope } from './agency-scope';
import type { AccessScope, Caller, ClientRole, RegisteredClient } from './clients.types';
import type { ClientRegistry } from './client-registry';
import { denial } from './security.errors';
import { SERVICES, type ServiceName } from './services';

/** What a request declares about itself: why (purpose) and for which dossier. Values as received. */
export interface AccessRequest {
  purpose?: unknown;
  dossierCode?: unknown;
}

/** Only well-formed codes are repeated in an error detail (a caller might put anything in `purpose`). */
const PURPOSE_CODE = /^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$/;

/**
 * The access policy: client x service x purpose x fields, as clients.yaml grants them.
 * Every lookup names a purpose (Decree 13/2023/NĐ-CP: processing per declared purpose, recorded with its
 * legal basis) and the caller receives only the fields of its scope.
 */
export class AccessPolicy {
  constructor(private readonly registry: ClientRegistry) {}

  /**
   * Decides one request and returns the caller's effective scope. Throws ProblemException:
   * 403 `SERVICE_NOT_ALLOWED` (service not granted, or admin-only and the client is not admin),
   * 400 `PURPOSE_REQUIRED` (no purpose where the service needs one),
   * 403 `PURPOSE_NOT_ALLOWED` (purpose unknown in the catalogue or not granted for this service),
   * 400 `DOSSIER_CODE_REQUIRED` (the purpose serves a dossier and none was named),
   * 403 `AGENCY_NOT_ALLOWED` (the service binds the declared dossier, and the agency part of its code is
   * not one of the client's agencies).
   */
  authorize(caller: Caller, service: ServiceName, request: AccessRequest = {}): AccessScope {
    const client = this.registry.client(caller.clientId);
    if (!client || !client.enabled) {
      throw denial('INVALID_CREDENTIALS', 'The client is not registered or is disabled.');
    }
    const definition = SERVICES[service];
    const grant = client.services[service];
    if (!grant || (definition.adminOnly && !client.admin)) {
      throw denial('SERVICE_NOT_ALLOWED', `Client "${client.id}" may not use the service ${service}.`);
    }

    const purpose = request.purpose;
    const dossierCode =
      typeof request.dossierCode === 'string' && request.dossierCode !== '' ? request.dossierCode : undefined;
    if (purpose === undefined || purpose === null || purpose === '') {
      if (definition.purposeRequired) {
        throw denial(
          'PURPOSE_REQUIRED',
          `Name the purpose of the request in the "purpose" field; allowed for ${service}: ${grant.purposes.join(', ')}.`,
        );
      }
      if (definition.bindsDossier && dossierCode !== undefined)
        this.requireDossierCodeInScope(client, dossierCode);
      return Object.freeze({ service, dossierCode, fields: grant.fields, allowStale: grant.allowStale });
    }
    if (typeof purpose !== 'string') {
      throw denial('PURPOSE_REQUIRED', 'The "purpose" field must be a purpose code.');
    }

    const definitionOfPurpose = this.registry.purpose(purpose);
    const granted =
      grant.purposes.length === 0 ? !definition.purposeRequired : grant.purposes.includes(purpose);
    if (!definitionOfPurpose || !granted) {
      const named = PURPOSE_CODE.test(purpose) && purpose.length <= 64 ? `Purpose ${purpose}` : 'The purpose';
      const allowed = grant.purposes.length ? `; allowed: ${grant.purposes.join(', ')}` : '';
      throw denial(
        'PURPOSE_NOT_ALLOWED',
        `${named} is not allowed for client "${client.id}" and ${service}${allowed}.`,
      );
    }
    if (definitionOfPurpose.requiresDossierCode && dossierCode === undefined) {
      throw denial(
        'DOSSIER_CODE_REQUIRED',
        `Purpose ${purpose} serves a dossier: name it in the "dossierCode" field.`,
      );
    }
    if (definition.bindsDossier && dossierCode !== undefined)
      this.requireDossierCodeInScope(client, dossierCode);
    return Object.freeze({
      service,
      purpose,
      legalBasis: definitionOfPurpose.legalBasis,
      dossierCode,
      fields: grant.fields,
      allowStale: grant.allowStale,
    });
  }

  /** True when the client acts for `agencyCode` (its `agencies` in clients.yaml). */
  agencyAllowed(clientId: string, agencyCode: string): boolean {
    const client = this.registry.client(clientId);
    return client !== undefined && client.enabled && agencyInScope(client.agencies, agencyCode);
  }

  /** Throws 403 `AGENCY_NOT_ALLOWED` unless the client acts for `agencyCode`; `what` names it in the detail. */
  requireAgency(clientId: string, agencyCode: string, what: string): void {
    if (!this.agencyAllowed(clientId, agencyCode)) {
      throw denial('AGENCY_NOT_ALLOWED', `${what} is not one of the agencies client "${clientId}" acts for.`);
    }
  }

  /** True when the caller's client holds `role`. */
  hasRole(caller: Caller, role: ClientRole): boolean {
    const client = this.registry.client(caller.clientId);
    return client !== undefined && client.enabled && client.roles.includes(role);
  }

  /** A code that does not parse is left to the use case, which answers 400 with the format problem. */
  private requireDossierCodeInScope(client: RegisteredClient, dossierCode: string): void {
    const parsed = parseDossierCode(dossierCode);
    if (parsed && !agencyInScope(client.agencies, parsed.agencyCode)) {
      throw denial(
        'AGENCY_NOT_ALLOWED',
        `The agency of dossier ${dossierCode} is not one of the agencies client "${client.id}" acts for.`,
      );
    }
  }
}
