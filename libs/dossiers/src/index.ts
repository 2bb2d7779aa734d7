export * from './dossier-state.repository';
export * from './dossier-handover.repository';
export * from './portal-sync.repository';
