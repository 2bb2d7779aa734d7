import {
  Global,
  Module,
  type DynamicModule,
  type InjectionToken,
  type ModuleMetadata,
  type OptionalFactoryDependency,
} from '@nestjs/common';
import { EventProducer } from '@lienthong/messaging';
import { createLogger, type AppLogger } from '@lienthong/observability';
import { Database } from '@lienthong/storage';
import { AuditLog, type AuditLogOptions } from './audit-log.service';
import {
  DEFAULT_AUDIT_EVENT_SOURCE,
  KafkaAuditPublisher,
  NoopAuditPublisher,
  type AuditPublisher,
} from './audit-publisher';
import { AuditSigner } from './audit-signer';
import { registerAuditCheckpointMetrics } from './audit-checkpoint.metrics';

export interface AuditModuleOptions extends Omit<
  AuditLogOptions,
  'signer' | 'subjectKey' | 'previousSubjectKeys'
> {
  /** AUDIT_SUBJECT_KEY. */
  subjectKey: string;
  /** AUDIT_SUBJECT_KEYS_PREVIOUS. */
  previousSubjectKeys?: readonly string[];
  /** PEM file of the RSA signing key (AUDIT_SIGNING_KEY_PATH); unset: no signatures. */
  signingKeyPath?: string;
  signingKeyPassphrase?: string;
  /**
   * Where committed records go: by default Kafka (lgsp.audit.lookup.v1) through the messaging module's
   * EventProducer when that module is present, otherwise nowhere; `false` disables publishing; or a
   * publisher of your own.
   */
  publisher?: AuditPublisher | false;
  /** CloudEvents source of the published events (default /lienthong/gateway). */
  eventSource?: string;
}

export interface AuditModuleAsyncOptions {
  imports?: ModuleMetadata['imports'];
  inject?: (InjectionToken | OptionalFactoryDependency)[];
  useFactory: (...args: never[]) => AuditModuleOptions | Promise<AuditModuleOptions>;
}

export const AUDIT_MODULE_OPTIONS = Symbol('AUDIT_MODULE_OPTIONS');
export const AUDIT_PUBLISHER = Symbol('AUDIT_PUBLISHER');

function loggerOf(options: AuditModuleOptions): AppLogger {
  return options.logger ?? createLogger({ name: 'lienthong-audit' });
}

/** The publisher AuditModule uses for the given options and (optional) Kafka producer. */
export function createAuditPublisher(
  options: AuditModuleOptions,
  producer?: EventProducer | null,
): AuditPublisher {
  if (options.publisher === false) return new NoopAuditPublisher();
  if (options.publisher) return options.publisher;
  if (producer) return new KafkaAuditPublisher(producer, options.eventSource ?? DEFAULT_AUDIT_EVENT_SOURCE);
  loggerOf(options).warn('audit records are not published: no Kafka producer in this application');
  return new NoopAuditPublisher();
}

/** Builds the AuditLog as AuditModule does: loads the signing key (fails fast when it is unreadable). */
export function createAuditLog(
  db: Database,
  publisher: AuditPublisher,
  options: AuditModuleOptions,
): AuditLog {
  const logger = loggerOf(options);
  const signer = options.signingKeyPath
    ? AuditSigner.fromPemFile(options.signingKeyPath, options.signingKeyPassphrase)
    : undefined;
  if (signer) {
    logger.info({ keyId: signer.keyId }, 'audit batches are signed');
    registerAuditCheckpointMetrics(db);
  } else {
    logger.warn(
      'audit signing is off (no AUDIT_SIGNING_KEY_PATH): the hash chain detects edited and deleted records, but not a rewrite of the whole chain from the edit onwards',
    );
  }
  const {
    publisher: _publisher,
    eventSource: _source,
    signingKeyPath: _path,
    signingKeyPassphrase: _pass,
    ...rest
  } = options;
  return new AuditLog(db, publisher, { ...rest, logger, signer });
}

/**
 * Global module providing AuditLog. Needs the storage module's Database (global) and, to publish to
 * Kafka, the messaging module's EventProducer (optional).
 *
 * Shutdown: the queue is written in beforeApplicationShutdown (the database closes in
 * onApplicationShutdown), and once more in AuditLog's own onApplicationShutdown for requests the HTTP
 * server finished meanwhile. Import AuditModule after StorageModule so that Nest runs its shutdown hook
 * first (modules at the same depth are shut down in reverse import order).
 */
@Global()
@Module({})
export class AuditModule {
  static forRoot(options: AuditModuleOptions): DynamicModule {
    return AuditModule.build([{ provide: AUDIT_MODULE_OPTIONS, useValue: options }]);
  }

  static forRootAsync(options: AuditModuleAsyncOptions): DynamicModule {
    return AuditModule.build(
      [{ provide: AUDIT_MODULE_OPTIONS, useFactory: options.useFactory, inject: options.inject ?? [] }],
      options.imports,
    );
  }

  private static build(
    optionProviders: NonNullable<ModuleMetadata['providers']>,
    imports: ModuleMetadata['imports'] = [],
  ): DynamicModule {
    return {
      module: AuditModule,
      global: true,
      imports,
      providers: [
        ...optionProviders,
        {
          provide: AUDIT_PUBLISHER,
          useFactory: (options: AuditModuleOptions, producer?: EventProducer | null) =>
            createAuditPublisher(options, producer),
          inject: [AUDIT_MODULE_OPTIONS, { token: EventProducer, optional: true }],
        },
        {
          provide: AuditLog,
          useFactory: (options: AuditModuleOptions, db: Database, publisher: AuditPublisher) =>
            createAuditLog(db, publisher, options),
          inject: [AUDIT_MODULE_OPTIONS, Database, AUDIT_PUBLISHER],
        },
      ],
      exports: [AuditLog, AUDIT_PUBLISHER],
    };
  }
}
