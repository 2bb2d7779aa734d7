export * from './indicator-period';
export * from './indicator-formulas';
export * from './dossier-facts';
export * from './indicator-aggregator';
export * from './portal-766';
export * from './portal-766-reconcile';
