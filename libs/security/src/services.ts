import type { SchemaName } from '@lienthong/contracts';

/**
 * The data-sharing services the gateway publishes (Decree 47/2020/NĐ-CP: sharing goes through published
 * services, each consumer authorised per service). A client's policy in clients.yaml grants them one by one.
 */
export const SERVICE_NAMES = [
  'citizen.lookup',
  'citizen.verify',
  'enterprise.lookup',
  'land.lookup',
  'dossier.events',
  'documents.register',
  'documents.search',
  'audit.subjects',
  'indicators.read',
  'chains',
  'payments',
  'deliveries',
  'feedback',
] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

export interface ServiceDefinition {
  /** Every request must name a purpose (personal-data processing, Decree 13/2023/NĐ-CP). */
  purposeRequired: boolean;
  /** Only clients with `admin: true` may be granted it. */
  adminOnly: boolean;
  /** The canonical model whose fields the grant's `fields` name (checked when clients.yaml is loaded). */
  model?: SchemaName;
  /** The `dossierCode` a request declares must be a dossier of the caller's agencies (lookups, searches). */
  bindsDossier: boolean;
}

export const SERVICES: Readonly<Record<ServiceName, ServiceDefinition>> = Object.freeze({
  'citizen.lookup': { purposeRequired: true, adminOnly: false, model: 'citizen', bindsDossier: true },
  'citizen.verify': { purposeRequired: true, adminOnly: false, model: 'citizen', bindsDossier: true },
  'enterprise.lookup': {
    purposeRequired: true,
    adminOnly: false,
    model: 'enterprise',
    bindsDossier: true,
  },
  'land.lookup': { purposeRequired: true, adminOnly: false, model: 'land-parcel', bindsDossier: true },
  // Submissions: the agency of each event or document is checked by its use case; a purpose is checked
  // when one is given.
  'dossier.events': { purposeRequired: false, adminOnly: false, bindsDossier: false },
  'documents.register': { purposeRequired: false, adminOnly: false, bindsDossier: false },
  'documents.search': {
    purposeRequired: true,
    adminOnly: false,
    model: 'reusable-document',
    bindsDossier: true,
  },
  // The data-protection officer reviews every agency's processing: a dossier code there is a filter.
  'audit.subjects': { purposeRequired: true, adminOnly: true, bindsDossier: false },
  // Decision 766 indicators: aggregate counts per agency, no personal data, so no purpose to declare.
  'indicators.read': { purposeRequired: false, adminOnly: false, bindsDossier: false },
  // Procedure chains: the application's agency is checked by the use case; the national data a chain reuses
  // is read under the client's own citizen.lookup grant, purpose DOSSIER_PROCESSING.
  chains: { purposeRequired: false, adminOnly: false, bindsDossier: false },
  // Online payment of dossier fees: the dossier code's agency is checked by the use case; no personal data.
  payments: { purposeRequired: false, adminOnly: false, bindsDossier: false },
  // Postal delivery of a dossier's result: the dossier's agency is checked by the use case; the receiver's
  // contact details go to the postal operator only.
  deliveries: { purposeRequired: false, adminOnly: false, bindsDossier: false },
  // Citizen feedback: each item is listed and answered only by the client of its competent agency (checked
  // by the use case); the citizen's contact is shown to that agency to answer, under its legal task.
  feedback: { purposeRequired: false, adminOnly: false, bindsDossier: false },
});

export function isServiceName(value: unknown): value is ServiceName {
  return typeof value === 'string' && (SERVICE_NAMES as readonly string[]).includes(value);
}
