/**
 * A real Apache Kafka broker for local runs and tests: one combined broker/controller in KRaft mode on
 * loopback, started from the Maven Central jars resolved by pom.xml beside this file.
 *
 * Used by `npm start` (when KAFKA_BROKERS is unset), by the jest global setup and on its own
 * (`npm run kafka:local`). The JVM is a child of the calling process and is also tied to it by a
 * watchdog: if the caller dies without cleaning up (SIGKILL), the watchdog's stdin closes and it stops
 * the broker, so no stray JVM is left behind.
 */
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { repoRoot } from '../../../libs/config/src/repo-root';

export const KAFKA_VERSION = '3.9.2';

export interface LocalKafkaOptions {
  /** Client listener port on 127.0.0.1. Default 9092. */
  port?: number;
  /** Controller listener port. Default port + 1. */
  controllerPort?: number;
  /** KRaft log directory; kept between runs so topics and offsets survive a restart. */
  dataDir: string;
  /** Where the jars are cached (outside the repository). Default $LGSP_CACHE_DIR or ~/.cache/lienthong. */
  cacheDir?: string;
  /** Maximum JVM heap in MiB. Default 512. */
  heapMb?: number;
  /** How long to wait for the broker to answer describeCluster. Default 90 s. */
  readyTimeoutMs?: number;
  /** Default partition count for auto-created topics. Default 3. */
  defaultPartitions?: number;
  log?: (line: string) => void;
  /** Run with SASL/SCRAM and the broker's ACL authorizer instead of PLAINTEXT without authorization. */
  sasl?: LocalKafkaSasl;
}

export interface ScramUser {
  username: string;
  /** Letters, digits and `-._~` only: it is written into JAAS and storage-tool arguments unquoted. */
  password: string;
}

/**
 * A broker that authenticates every client with SASL/SCRAM (SCRAM-SHA-512 or -256) on its one client
 * listener (SASL_PLAINTEXT on loopback) and authorizes every request with StandardAuthorizer, allowing
 * nothing without an ACL. `admin` is the only super user: the broker's own identity between its
 * listeners and the administrator that creates topics and ACLs. Users are created when the storage is
 * formatted (`kafka-storage format --add-scram`); that storage is kept apart from a plain broker's in
 * the same data directory, so switching modes never meets a store formatted without them.
 */
export interface LocalKafkaSasl {
  admin: ScramUser;
  users?: readonly ScramUser[];
}

const SCRAM_MECHANISMS = ['SCRAM-SHA-512', 'SCRAM-SHA-256'] as const;
const SAFE_SECRET = /^[A-Za-z0-9._~-]{8,}$/;
const SAFE_NAME = /^[A-Za-z0-9._-]+$/;

export class LocalKafkaError extends Error {
  override readonly name = 'LocalKafkaError';
}

function pomPath(): string {
  return join(repoRoot(), 'deploy', 'local', 'kafka', 'pom.xml');
}

function which(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

export function defaultCacheDir(): string {
  return process.env.LGSP_CACHE_DIR ?? join(homedir(), '.cache', 'lienthong');
}

/** Resolves the Kafka jars into the cache (once) and returns the directory that holds them. */
/** Counts Maven's "Downloaded from central: … (12 kB at …)" lines into a progress summary. */
export class DownloadTally {
  artifacts = 0;
  bytes = 0;
  private reported = 0;

  line(line: string): void {
    const match = /Downloaded from [^:]+: \S+ \(([\d.]+) (B|kB|KB|MB|GB)/.exec(line);
    if (!match) return;
    const unit = { B: 1, kB: 1e3, KB: 1e3, MB: 1e6, GB: 1e9 }[match[2]] ?? 1;
    this.artifacts += 1;
    this.bytes += Number(match[1]) * unit;
  }

  /** True once per new download since the last call. */
  changed(): boolean {
    const changed = this.artifacts !== this.reported;
    this.reported = this.artifacts;
    return changed;
  }

  summary(): string {
    return `downloading Kafka jars: ${this.artifacts.toLocaleString('en-US')} files, ${(this.bytes / 1e6).toFixed(1)} MB`;
  }
}

export async function ensureKafkaJars(cacheDir = defaultCacheDir(), log: (line: string) => void = () => {}) {
  const libs = join(cacheDir, `kafka-${KAFKA_VERSION}`, 'libs');
  if (existsSync(join(libs, '.complete'))) return libs;
  if (!which('java')) {
    throw new LocalKafkaError(
      'Java is required to run the local Kafka broker: install a JDK 17+ (Debian: apt-get install openjdk-17-jre-headless), or set KAFKA_BROKERS to use an existing Kafka cluster.',
    );
  }
  if (!which('mvn')) {
    throw new LocalKafkaError(
      'Maven is required to fetch the Kafka jars from Maven Central: install it (Debian: apt-get install maven), or set KAFKA_BROKERS to use an existing Kafka cluster.',
    );
  }
  log(`resolving Apache Kafka ${KAFKA_VERSION} jars from Maven Central into ${libs}`);
  const staging = `${libs}.${process.pid}.tmp`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  await new Promise<void>((done, fail) => {
    // Maven's own transfer lines are counted, not shown: one progress line every two seconds instead.
    const mvn = spawn(
      'mvn',
      ['-B', '-f', pomPath(), 'dependency:copy-dependencies', `-DoutputDirectory=${staging}`],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const download = new DownloadTally();
    let output = '';
    let pending = '';
    const onData = (chunk: Buffer) => {
      const text = chunk.toString();
      output = (output + text).slice(-64 * 1024);
      const lines = (pending + text).split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) download.line(line);
    };
    mvn.stdout.on('data', onData);
    mvn.stderr.on('data', onData);
    const ticker = setInterval(() => {
      if (download.changed()) log(download.summary());
    }, 2000);
    mvn.once('error', (error) => {
      clearInterval(ticker);
      fail(new LocalKafkaError(`mvn could not be started: ${error.message}`));
    });
    mvn.once('close', (code) => {
      clearInterval(ticker);
      if (code === 0) {
        if (download.artifacts > 0) log(`${download.summary()}, done`);
        done();
      } else {
        fail(new LocalKafkaError(`mvn could not resolve the Kafka jars:\n${output}`.trim()));
      }
    });
  });
  writeFileSync(join(staging, '.complete'), `${new Date().toISOString()}\n`);
  rmSync(libs, { recursive: true, force: true });
  mkdirSync(join(libs, '..'), { recursive: true });
  try {
    renameSync(staging, libs);
  } catch (error) {
    // another process finished first; its copy is as good as ours
    rmSync(staging, { recursive: true, force: true });
    if (!existsSync(join(libs, '.complete'))) throw error;
  }
  return libs;
}

/** Resolves true when nothing listens on 127.0.0.1:port. */
export function isPortFree(port: number): Promise<boolean> {
  return new Promise((done) => {
    const server = createServer();
    server.once('error', () => done(false));
    server.listen(port, '127.0.0.1', () => server.close(() => done(true)));
  });
}

/** An ephemeral port that was free a moment ago (for tests that must not clash with a running broker). */
export function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => done(port));
    });
  });
}

export class LocalKafka {
  readonly port: number;
  readonly controllerPort: number;
  readonly dataDir: string;
  private jvm?: ChildProcess;
  private watchdog?: ChildProcess;
  private exited?: Promise<number | null>;
  private readonly log: (line: string) => void;

  constructor(private readonly options: LocalKafkaOptions) {
    this.port = options.port ?? 9092;
    this.controllerPort = options.controllerPort ?? this.port + 1;
    this.dataDir = resolve(options.dataDir);
    this.log = options.log ?? (() => {});
    for (const user of options.sasl ? [options.sasl.admin, ...(options.sasl.users ?? [])] : []) {
      if (!SAFE_NAME.test(user.username) || !SAFE_SECRET.test(user.password)) {
        throw new LocalKafkaError(
          `SCRAM user "${user.username}": names may hold letters, digits and -._ only, passwords at least 8 of letters, digits and -._~`,
        );
      }
    }
  }

  /** The SASL settings of a client of this broker authenticating as its admin (undefined without SASL). */
  get adminSasl(): { mechanism: 'scram-sha-512'; username: string; password: string } | undefined {
    const admin = this.options.sasl?.admin;
    return admin && { mechanism: 'scram-sha-512', username: admin.username, password: admin.password };
  }

  get brokers(): string {
    return `127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.jvm?.pid;
  }

  get running(): boolean {
    return this.jvm !== undefined && this.jvm.exitCode === null && this.jvm.signalCode === null;
  }

  get logFile(): string {
    return join(this.dataDir, 'server.log');
  }

  async start(): Promise<void> {
    if (this.running) return;
    for (const port of [this.port, this.controllerPort]) {
      if (!(await isPortFree(port))) {
        throw new LocalKafkaError(
          `port ${port} on 127.0.0.1 is already in use: stop whatever holds it, choose another port (KAFKA_LOCAL_PORT), or point KAFKA_BROKERS at the broker already running there.`,
        );
      }
    }
    const libs = await ensureKafkaJars(this.options.cacheDir, this.log);
    const classpath = join(libs, '*');
    const logsDir = join(this.dataDir, this.options.sasl ? 'kraft-logs-sasl' : 'kraft-logs');
    mkdirSync(logsDir, { recursive: true });
    const properties = join(this.dataDir, 'server.properties');
    // it holds the admin password when SASL is on
    writeFileSync(properties, this.serverProperties(logsDir), { mode: 0o600 });
    const log4j = join(this.dataDir, 'log4j.properties');
    writeFileSync(
      log4j,
      [
        'log4j.rootLogger=WARN, stdout',
        'log4j.logger.kafka.server.KafkaServer=INFO',
        'log4j.logger.kafka.server.BrokerServer=INFO',
        'log4j.logger.kafka.Kafka$=INFO',
        'log4j.appender.stdout=org.apache.log4j.ConsoleAppender',
        'log4j.appender.stdout.layout=org.apache.log4j.PatternLayout',
        'log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n',
        '',
      ].join('\n'),
    );
    const jvmArgs = [
      `-Xms128m`,
      `-Xmx${this.options.heapMb ?? 512}m`,
      '-XX:+UseG1GC',
      '-XX:MaxGCPauseMillis=20',
      '-Djava.awt.headless=true',
      `-Dlog4j.configuration=file:${log4j}`,
      '-cp',
      classpath,
    ];
    if (!existsSync(join(logsDir, 'meta.properties'))) {
      const clusterId = newClusterId();
      const format = spawnSync(
        'java',
        [
          ...jvmArgs,
          'kafka.tools.StorageTool',
          'format',
          '-t',
          clusterId,
          '-c',
          properties,
          ...this.scramArguments(),
        ],
        { encoding: 'utf8' },
      );
      if (format.status !== 0) {
        throw new LocalKafkaError(`formatting KRaft storage failed:\n${format.stdout}${format.stderr}`);
      }
    }
    const out = openSync(this.logFile, 'a');
    const jvm = spawn('java', [...jvmArgs, 'kafka.Kafka', properties], { stdio: ['ignore', out, out] });
    closeSync(out);
    this.jvm = jvm;
    this.exited = new Promise((done) => jvm.once('exit', (code) => done(code)));
    this.watchdog = spawn('sh', ['-c', `cat >/dev/null; kill ${jvm.pid} 2>/dev/null`], {
      stdio: ['pipe', 'ignore', 'ignore'],
    });
    this.watchdog.unref();
    this.log(`Kafka ${KAFKA_VERSION} starting on ${this.brokers} (pid ${jvm.pid}, log ${this.logFile})`);
    await this.waitUntilReady();
    this.log(`Kafka ready on ${this.brokers}`);
  }

  /** Stops the broker: SIGTERM for a clean shutdown, SIGKILL if it has not exited after the grace period. */
  async stop(graceMs = 20_000): Promise<void> {
    const jvm = this.jvm;
    if (!jvm || !this.exited) return;
    if (this.running) {
      jvm.kill('SIGTERM');
      const timer = setTimeout(() => jvm.kill('SIGKILL'), graceMs);
      await this.exited;
      clearTimeout(timer);
    }
    this.watchdog?.stdin?.end();
    this.watchdog = undefined;
    this.jvm = undefined;
    this.exited = undefined;
    this.log(`Kafka on ${this.brokers} stopped`);
  }

  /** Synchronous last-resort kill for process 'exit' handlers, where nothing asynchronous runs. */
  killNow(): void {
    if (this.running) this.jvm?.kill('SIGKILL');
  }

  /** `--add-scram` arguments of the storage tool: every user under both SCRAM mechanisms. */
  private scramArguments(): string[] {
    const sasl = this.options.sasl;
    if (!sasl) return [];
    return [sasl.admin, ...(sasl.users ?? [])].flatMap((user) =>
      SCRAM_MECHANISMS.flatMap((mechanism) => [
        '--add-scram',
        `${mechanism}=[name=${user.username},password=${user.password}]`,
      ]),
    );
  }

  private listenerProperties(): string[] {
    const sasl = this.options.sasl;
    if (!sasl) {
      return [
        `listeners=PLAINTEXT://127.0.0.1:${this.port},CONTROLLER://127.0.0.1:${this.controllerPort}`,
        `advertised.listeners=PLAINTEXT://127.0.0.1:${this.port}`,
        'controller.listener.names=CONTROLLER',
        'inter.broker.listener.name=PLAINTEXT',
        'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
      ];
    }
    const { username, password } = sasl.admin;
    const scram = 'org.apache.kafka.common.security.scram.ScramLoginModule required';
    return [
      `listeners=SASL_PLAINTEXT://127.0.0.1:${this.port},CONTROLLER://127.0.0.1:${this.controllerPort}`,
      `advertised.listeners=SASL_PLAINTEXT://127.0.0.1:${this.port}`,
      'controller.listener.names=CONTROLLER',
      'inter.broker.listener.name=SASL_PLAINTEXT',
      'listener.security.protocol.map=SASL_PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:SASL_PLAINTEXT',
      // clients: SCRAM, whose credentials live in the cluster metadata
      'sasl.enabled.mechanisms=SCRAM-SHA-512,SCRAM-SHA-256',
      'sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512',
      `listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config=${scram} username="${username}" password="${password}";`,
      `listener.name.sasl_plaintext.scram-sha-256.sasl.jaas.config=${scram};`,
      // the controller cannot read SCRAM credentials from the metadata it serves: PLAIN with the admin alone
      'listener.name.controller.sasl.enabled.mechanisms=PLAIN',
      'sasl.mechanism.controller.protocol=PLAIN',
      `listener.name.controller.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="${username}" password="${password}" user_${username}="${password}";`,
      'authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer',
      'allow.everyone.if.no.acl.found=false',
      `super.users=User:${username}`,
    ];
  }

  private serverProperties(logsDir: string): string {
    const partitions = this.options.defaultPartitions ?? 3;
    return [
      'process.roles=broker,controller',
      'node.id=1',
      `controller.quorum.voters=1@127.0.0.1:${this.controllerPort}`,
      ...this.listenerProperties(),
      `log.dirs=${logsDir}`,
      `num.partitions=${partitions}`,
      'offsets.topic.replication.factor=1',
      'offsets.topic.num.partitions=10',
      'transaction.state.log.replication.factor=1',
      'transaction.state.log.min.isr=1',
      'group.initial.rebalance.delay.ms=0',
      'auto.create.topics.enable=false',
      'log.retention.hours=168',
      'log.segment.bytes=67108864',
      '',
    ].join('\n');
  }

  private async waitUntilReady(): Promise<void> {
    const deadline = Date.now() + (this.options.readyTimeoutMs ?? 90_000);
    const kafka = new Kafka({
      clientId: 'lienthong-local-kafka-probe',
      brokers: [this.brokers],
      logLevel: logLevel.NOTHING,
      retry: { retries: 0 },
      connectionTimeout: 1000,
      ...(this.adminSasl ? { sasl: this.adminSasl } : {}),
    });
    for (;;) {
      if (!this.running) {
        throw new LocalKafkaError(
          `the Kafka broker exited during start-up; see ${this.logFile}:\n${this.tail()}`,
        );
      }
      const admin = kafka.admin();
      try {
        await admin.connect();
        const cluster = await admin.describeCluster();
        if (cluster.brokers.length > 0 && cluster.controller !== null) return;
      } catch {
        // not up yet
      } finally {
        await admin.disconnect().catch(() => undefined);
      }
      if (Date.now() > deadline) {
        await this.stop(5000);
        throw new LocalKafkaError(
          `the Kafka broker did not become ready in time; see ${this.logFile}:\n${this.tail()}`,
        );
      }
      await new Promise((r) => setTimeout(r, 300));
    }
  }

  private tail(lines = 20): string {
    try {
      return readFileSync(this.logFile, 'utf8').split('\n').slice(-lines).join('\n');
    } catch {
      return '(no log)';
    }
  }
}

/**
 * A cluster id as Kafka makes them: base64url of 16 random bytes, and never one starting with '-', which
 * the storage tool would read as an option (one format in 64 failed that way).
 */
export function newClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}
