import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { resolve } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ConfigError, loadEnv, repoRoot } from '@lienthong/config';
import { AppLogger, createHttpApp, createLogger } from '@lienthong/observability';
import { defaultPkiDir } from '@lienthong/pki';
import {
  BUSINESS_REGISTRY_DEFAULTS,
  RunningBusinessRegistrySimulator,
  startBusinessRegistrySimulator,
} from './business-registry';
import { RunningLandSimulator, startLandSimulator } from './land';
import { PopulationSimulator, startPopulationSimulator } from './population';
import {
  OPERATIONS_CENTER_PATHS,
  OPERATIONS_CENTER_SIMULATOR_DEFAULTS,
  OperationsCenterSimulator,
  startOperationsCenterSimulator,
} from './operations-center';
import { PortalSimulator, startPortalSimulator } from './portal';
import { PORTAL_PATHS } from './portal/portal.codes';
import { SimulatedUpstream, SimulatorsIndex, SimulatorsModule, SimulatorStatus } from './simulators.module';

export interface RunningSimulators {
  /** The index app. */
  app: NestFastifyApplication;
  /** URL of the index app. */
  url: string;
  population: PopulationSimulator;
  businessRegistry: RunningBusinessRegistrySimulator;
  land: RunningLandSimulator;
  portal: PortalSimulator;
  operationsCenter: OperationsCenterSimulator;
  /** What the index lists. */
  upstreams: readonly SimulatedUpstream[];
  /** Stops the index and every simulator. */
  close(): Promise<void>;
}

/**
 * Starts every upstream simulator on its own port (SIMULATOR_*_PORT) and the index app on
 * SIMULATORS_PORT. The population simulator speaks mutual TLS with the development PKI in PKI_DIR
 * (relative paths are under the repository), which must exist: `lienthong pki init` (npm start creates it).
 * Datasets are derived record by record from their seed, so their default sizes cost no start-up time.
 */
export async function startSimulators(
  options: { env?: NodeJS.ProcessEnv; logger?: AppLogger } = {},
): Promise<RunningSimulators> {
  const env = loadEnv(
    [
      'SIMULATORS_PORT',
      'SIMULATOR_POPULATION_PORT',
      'SIMULATOR_BUSINESS_REGISTRY_PORT',
      'SIMULATOR_LAND_PORT',
      'SIMULATOR_PORTAL_PORT',
      'SIMULATOR_OPERATIONS_CENTER_PORT',
      'PKI_DIR',
      'HOST',
      'LOG_LEVEL',
    ],
    { source: options.env },
  );
  const logger = options.logger ?? createLogger({ name: 'simulators', level: env.LOG_LEVEL });
  const pkiDir = resolve(repoRoot(), env.PKI_DIR);
  if (!existsSync(pkiDir)) {
    const init = pkiDir === defaultPkiDir() ? 'lienthong pki init' : `lienthong pki init --dir ${pkiDir}`;
    throw new ConfigError(
      `no development PKI in ${pkiDir} (PKI_DIR); the population simulator needs it for mutual TLS: run \`${init}\` first (npm start creates it)`,
    );
  }

  const closers: (() => Promise<void>)[] = [];
  const closeAll = async () => {
    await Promise.allSettled(closers.splice(0).map((close) => close()));
  };
  const started = <T extends { close(): Promise<void> }>(simulator: T): T => {
    closers.push(() => simulator.close());
    return simulator;
  };
  try {
    const host = env.HOST;
    const population = started(
      await startPopulationSimulator({ port: env.SIMULATOR_POPULATION_PORT, host, pkiDir, logger }),
    );
    const businessRegistry = started(
      await startBusinessRegistrySimulator({ port: env.SIMULATOR_BUSINESS_REGISTRY_PORT, host, logger }),
    );
    const land = started(await startLandSimulator({ port: env.SIMULATOR_LAND_PORT, host, logger }));
    const portal = started(await startPortalSimulator({ port: env.SIMULATOR_PORTAL_PORT, host, logger }));
    const operationsCenter = started(
      await startOperationsCenterSimulator({ port: env.SIMULATOR_OPERATIONS_CENTER_PORT, host, logger }),
    );

    const upstreams = describeUpstreams({ population, businessRegistry, land, portal, operationsCenter });
    const faultsOf: Record<string, () => unknown> = {
      population: () => population.faults.state(),
      'business-registry': () => businessRegistry.faults.state(),
      land: () => land.faults.state(),
      'public-service-portal': () => portal.faults.state(),
      'operations-center': () => ({
        faults: operationsCenter.faults.state(),
        failures: operationsCenter.failures.state(),
      }),
    };
    const index: SimulatorsIndex = {
      upstreams: () => upstreams,
      status: async () => {
        const entries = await Promise.all(
          upstreams.map(async (upstream): Promise<[string, SimulatorStatus]> => [
            upstream.name,
            { status: (await accepts(upstream.url)) ? 'up' : 'down', faults: faultsOf[upstream.name]() },
          ]),
        );
        return Object.fromEntries(entries);
      },
    };

    const app = await createHttpApp(SimulatorsModule.forRoot(index), { logger });
    closers.unshift(() => app.close());
    await app.listen(env.SIMULATORS_PORT, host);
    const address = app.getHttpServer().address();
    const url = `http://${host}:${typeof address === 'object' && address ? address.port : env.SIMULATORS_PORT}`;
    logger.info({ url }, 'simulators listening');
    return {
      app,
      url,
      population,
      businessRegistry,
      land,
      portal,
      operationsCenter,
      upstreams,
      close: closeAll,
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}

function describeUpstreams(running: {
  population: PopulationSimulator;
  businessRegistry: RunningBusinessRegistrySimulator;
  land: RunningLandSimulator;
  portal: PortalSimulator;
  operationsCenter: OperationsCenterSimulator;
}): SimulatedUpstream[] {
  const { population, businessRegistry, land, portal, operationsCenter } = running;
  const count = (n: number) => n.toLocaleString('en-US');
  return [
    {
      name: 'population',
      system: 'National Population Database (CSDLQG về dân cư)',
      url: population.url,
      protocol: 'SOAP 1.1 over HTTPS, XML-DSig signed both ways',
      auth: 'mutual TLS on every route: a client certificate issued by the dev CA in PKI_DIR (the gateway certificate); requests signed with it',
      contract: 'contracts/upstream/population/',
      endpoints: {
        soap: population.serviceUrl,
        wsdl: `${population.serviceUrl}?wsdl`,
      },
      admin: { faults: `${population.url}/__admin/faults`, stats: `${population.url}/__admin/stats` },
      health: `${population.url}/health`,
      dataset: `${count(population.dataset.size)} synthetic citizens`,
    },
    {
      name: 'business-registry',
      system: 'National Business Registration Database (CSDLQG về đăng ký doanh nghiệp)',
      url: businessRegistry.url,
      protocol: 'REST JSON',
      auth: `OAuth 2.0 client credentials at /oauth2/token (HTTP Basic, client ${BUSINESS_REGISTRY_DEFAULTS.clientId}), then Bearer`,
      contract: 'contracts/upstream/business-registry/',
      endpoints: {
        token: `${businessRegistry.url}/oauth2/token`,
        enterprise: `${businessRegistry.url}/api/v1/doanh-nghiep/{maSoDoanhNghiep}`,
        dependentUnit: `${businessRegistry.url}/api/v1/don-vi-phu-thuoc/{maSoDonVi}`,
      },
      admin: {
        faults: `${businessRegistry.url}/__admin/faults`,
        expireTokens: `${businessRegistry.url}/__admin/tokens/expire`,
      },
      dataset: `${count(businessRegistry.dataset.size)} synthetic enterprises with their branches and representative offices`,
    },
    {
      name: 'land',
      system: 'National Land Database (CSDLQG về đất đai)',
      url: land.url,
      protocol: 'REST answering XML',
      auth: 'none (X-Api-Key when the simulator is given a key)',
      contract: 'contracts/upstream/land/',
      endpoints: {
        parcel: `${land.url}/api/thua-dat?maXa={maXa}&soToBanDo={soToBanDo}&soThuaDat={soThuaDat}`,
        certificate: `${land.url}/api/giay-chung-nhan/{soPhatHanh}`,
      },
      admin: { faults: `${land.url}/__admin/faults` },
      dataset: `${count(land.dataset.size)} synthetic parcels with their certificates`,
    },
    {
      name: 'public-service-portal',
      system: 'National Public Service Portal (Cổng Dịch vụ công quốc gia)',
      url: portal.url,
      protocol: 'JSON over HTTP (DVCQG sync API)',
      auth:
        'OpenCPS-era dialect: session login with username and password, dstcode header on every request; ' +
        'token-based dialect (shape assumed): OAuth 2.0 client credentials, bearer token',
      contract: 'contracts/upstream/public-service-portal/',
      endpoints: {
        login: `${portal.url}${PORTAL_PATHS.login}`,
        integration: `${portal.url}${PORTAL_PATHS.integration}`,
        share: `${portal.url}${PORTAL_PATHS.share}`,
        token: `${portal.url}${PORTAL_PATHS.token}`,
        api: `${portal.url}${PORTAL_PATHS.api}`,
      },
      admin: {
        faults: `${portal.url}${PORTAL_PATHS.adminFaults}`,
        stats: `${portal.url}${PORTAL_PATHS.adminStats}`,
        dossiers: `${portal.url}/__admin/dossiers`,
        accounts: `${portal.url}${PORTAL_PATHS.adminAccounts}`,
        evaluations: `${portal.url}${PORTAL_PATHS.adminEvaluations}`,
        reset: `${portal.url}${PORTAL_PATHS.adminReset}`,
      },
      dataset: 'the dossiers the relay has synced',
    },
    {
      name: 'operations-center',
      system: 'Government operations center (Hệ thống thông tin chỉ đạo, điều hành của Chính phủ)',
      url: operationsCenter.url,
      protocol: 'REST JSON',
      auth: `OAuth 2.0 client credentials at ${OPERATIONS_CENTER_PATHS.token} (HTTP Basic, client ${OPERATIONS_CENTER_SIMULATOR_DEFAULTS.clientId}), then Bearer`,
      contract: 'contracts/upstream/operations-center/',
      endpoints: {
        token: `${operationsCenter.url}${OPERATIONS_CENTER_PATHS.token}`,
        report: `${operationsCenter.url}${OPERATIONS_CENTER_PATHS.report}`,
      },
      admin: {
        faults: `${operationsCenter.url}/__admin/faults`,
        failures: `${operationsCenter.url}${OPERATIONS_CENTER_PATHS.adminFailures}`,
        reports: `${operationsCenter.url}${OPERATIONS_CENTER_PATHS.adminReports}`,
        stats: `${operationsCenter.url}${OPERATIONS_CENTER_PATHS.adminStats}`,
      },
      dataset: 'the indicator reports the relay has delivered',
    },
  ];
}

/** True when something accepts TCP connections at the URL's host and port (within one second). */
function accepts(url: string): Promise<boolean> {
  const { hostname, port, protocol } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({
      host: hostname.replace(/^\[|\]$/g, ''),
      port: Number(port) || (protocol === 'https:' ? 443 : 80),
    });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}
