export * from './audit.errors';
export * from './canonical-json';
export * from './subject-hasher';
export * from './audit-record';
export * from './audit-signer';
export {
  lockChainHead,
  readChainHead,
  readRecords,
  readSignatures,
  type ChainHead,
  type StoredSignature,
} from './audit.repository';
export * from './chain-verifier';
export * from './audit-checkpoint';
export * from './audit-checkpoint.metrics';
export * from './audit-query';
export * from './audit-publisher';
export * from './audit-log.service';
export * from './audit-retention';
export * from './audit-config';
export * from './audit.module';
export * from './audit-export';
export * from './checkpoint-reader';
export * from './audit-operator';
