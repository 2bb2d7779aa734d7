import type { AccessScope, Caller } from './clients.types';
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
   * 400 `DOSSIER_CODE_REQUIRED` (the purpose serves a dossier and none was named).
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
    return Object.freeze({
      service,
      purpose,
      legalBasis: definitionOfPurpose.legalBasis,
      dossierCode,
      fields: grant.fields,
      allowStale: grant.allowStale,
    });
  }
}
