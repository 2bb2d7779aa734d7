export * from './indicator.store';
export * from './indicator-report-source';
export * from './indicator-reporter';
export * from './indicator-delivery.repository';
export * from './portal-score.repository';
