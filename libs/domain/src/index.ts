export type { IdentifierIssue, ValidationResult } from './identifiers/validation-result.types';
export * from './identifiers/province-codes.data';
export * from './identifiers/personal-id';
export * from './identifiers/enterprise-code';
export * from './identifiers/dossier-code';
export * from './identifiers/admin-unit';
export * from './dossier/dossier-status';
export * from './dossier/dossier-status-machine';
export * from './catalogue/procedure-catalogue';
export * from './indicators';
export * from './chains/chain-definitions';
export * from './chains/working-time';
// dates and Vietnam time are the calendar library's; the domain's users get them from here too
export * from '@lienthong/calendar';
