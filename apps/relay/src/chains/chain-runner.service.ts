import { randomUUID } from 'node:crypto';
import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import {
  CivilStatusClient,
  ResidenceClient,
  SocialSecurityClient,
  type ChainSystemClient,
} from '@lienthong/adapters/chain-systems';
import { readConfiguredFile } from '@lienthong/config';
import { loadProcedureCatalogue } from '@lienthong/catalogue';
import {
  ChainRunner,
  loadChainDefinitions,
  outboxChainEvents,
  ParentDossierStatusRepository,
} from '@lienthong/chains';
import { DossierStateRepository } from '@lienthong/dossiers';
import { Outbox } from '@lienthong/messaging';
import type { AppLogger } from '@lienthong/observability';
import { Database } from '@lienthong/storage';
import type { RelayConfig } from '../relay.config';

export const CHAIN_RUNNER_CONFIG = Symbol('CHAIN_RUNNER_CONFIG');
export const CHAIN_RUNNER_LOGGER = Symbol('CHAIN_RUNNER_LOGGER');

/** The agency systems' clients from the CHAIN_* settings, by interface name. */
export function chainSystems(config: RelayConfig, logger: AppLogger): Map<string, ChainSystemClient> {
  return new Map<string, ChainSystemClient>([
    [
      'civil-status-v1',
      new CivilStatusClient({
        url: config.CHAIN_CIVIL_STATUS_URL!,
        ca: readConfiguredFile('CHAIN_CIVIL_STATUS_CA_PATH', config.CHAIN_CIVIL_STATUS_CA_PATH),
        username: config.CHAIN_CIVIL_STATUS_USERNAME,
        password: config.CHAIN_CIVIL_STATUS_PASSWORD,
        logger,
      }),
    ],
    [
      'residence-v1',
      new ResidenceClient({
        url: config.CHAIN_RESIDENCE_URL!,
        ca: readConfiguredFile('CHAIN_RESIDENCE_CA_PATH', config.CHAIN_RESIDENCE_CA_PATH),
        clientId: config.CHAIN_RESIDENCE_CLIENT_ID,
        clientSecret: config.CHAIN_RESIDENCE_CLIENT_SECRET,
        logger,
      }),
    ],
    [
      'social-security-v1',
      new SocialSecurityClient({
        url: config.CHAIN_SOCIAL_SECURITY_URL!,
        ca: readConfiguredFile('CHAIN_SOCIAL_SECURITY_CA_PATH', config.CHAIN_SOCIAL_SECURITY_CA_PATH),
        clientId: config.CHAIN_SOCIAL_SECURITY_CLIENT_ID,
        secret: config.CHAIN_SOCIAL_SECURITY_SECRET,
        logger,
      }),
    ],
  ]);
}

/**
 * The relay's chains role: runs due chain steps every CHAIN_RUNNER_INTERVAL_MS, and again at once while it
 * finds work. The chain state is in the database the gateway writes applications to; several relay
 * processes with this role share the steps (ChainRunner claims them with SKIP LOCKED and a lease).
 */
@Injectable()
export class ChainRunnerService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly systems: Map<string, ChainSystemClient>;
  private readonly runner: ChainRunner;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(
    database: Database,
    @Inject(CHAIN_RUNNER_CONFIG) private readonly config: RelayConfig,
    @Inject(CHAIN_RUNNER_LOGGER) private readonly logger: AppLogger,
    outbox: Outbox,
  ) {
    this.systems = chainSystems(config, logger);
    const definitions = loadChainDefinitions(
      config.CHAINS_FILE,
      loadProcedureCatalogue(config.PROCEDURES_FILE),
    );
    this.runner = new ChainRunner(database, definitions, {
      systems: this.systems,
      // the gateway reads the national data when it records the application; the relay never needs it
      national: { read: () => Promise.resolve({}) },
      events: outboxChainEvents(outbox, '/lienthong/relay'),
      parentStatus: new ParentDossierStatusRepository(outbox, new DossierStateRepository(database)),
    });
  }

  onApplicationBootstrap(): void {
    this.schedule(0);
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
    await Promise.all([...this.systems.values()].map((system) => system.close()));
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.tick().finally(() => {
        this.running = undefined;
      });
    }, delayMs);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    let worked = 0;
    try {
      worked = await this.runner.runDue(16, { requestId: `chain-${randomUUID()}` });
    } catch (error) {
      this.logger.warn(
        { err: { message: (error as Error).message } },
        'chain runner pass failed; trying again',
      );
    }
    this.schedule(worked > 0 ? 0 : this.config.CHAIN_RUNNER_INTERVAL_MS);
  }
}
