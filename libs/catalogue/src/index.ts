export * from './catalogue.store';
export * from './catalogue-sync';
export * from './live-catalogue';
