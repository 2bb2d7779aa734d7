export * from './catalogue.store';
export * from './catalogue-sync';
export * from './live-catalogue';
export * from './procedure-catalogue-file';
