export * from './documents.repository';
export * from './document-reuse.repository';
