/**
 * A real Apache Kafka broker for local runs and tests: one combined broker/controller in KRaft mode on
 * loopback, started from the Maven Central jars resolved by pom.xml beside this file; or a cluster of
 * several such nodes (`LocalKafkaCluster`, `KAFKA_LOCAL_BROKERS=3`), each with its own ports and data
 * directory, voting in one controller quorum, with replicated topics.
 *
 * Used by `npm start` (when KAFKA_BROKERS is unset), by the jest global setup and on its own
 * (`npm run kafka:local`). Each JVM is a child of the calling process and is also tied to it by a
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
  /** This node's id in its cluster. Default 1. */
  nodeId?: number;
  /** Every controller of the cluster (this node included). Default: this node alone. */
  quorum?: readonly QuorumVoter[];
  /** The cluster id its storage is formatted with when it is new. Default: a new one. */
  clusterId?: string;
  /**
   * Replication of the cluster: the default replication factor of new topics and of the internal ones
   * (consumer offsets, transaction state), and `min.insync.replicas`. Default 1 and 1 (one broker).
   */
  replication?: ReplicationSettings;
  /** Names the node in log lines ("Kafka node 2 …"). Default: no name (a lone broker). */
  label?: string;
}

export interface QuorumVoter {
  nodeId: number;
  controllerPort: number;
}

export interface ReplicationSettings {
  factor: number;
  minInsyncReplicas: number;
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

  get nodeId(): number {
    return this.options.nodeId ?? 1;
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
      const clusterId = this.options.clusterId ?? newClusterId();
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
    this.log(
      `Kafka ${KAFKA_VERSION}${this.name} starting on ${this.brokers} (pid ${jvm.pid}, log ${this.logFile})`,
    );
    await this.waitUntilReady();
    this.log(`Kafka${this.name} ready on ${this.brokers}`);
  }

  private get name(): string {
    return this.options.label ? ` ${this.options.label}` : '';
  }

  /** The id its storage was formatted with, or undefined while it has none. */
  get storedClusterId(): string | undefined {
    const logsDir = join(this.dataDir, this.options.sasl ? 'kraft-logs-sasl' : 'kraft-logs');
    try {
      return /^cluster\.id=(.+)$/m.exec(readFileSync(join(logsDir, 'meta.properties'), 'utf8'))?.[1]?.trim();
    } catch {
      return undefined;
    }
  }

  /** Kills the JVM at once with `signal` (a crash, for fault tests) and waits until it is gone. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const jvm = this.jvm;
    if (!jvm || !this.exited) return;
    if (this.running) jvm.kill(signal);
    await this.exited;
    this.watchdog?.stdin?.end();
    this.watchdog = undefined;
    this.jvm = undefined;
    this.exited = undefined;
    this.log(`Kafka${this.name} on ${this.brokers} killed (${signal})`);
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
    this.log(`Kafka${this.name} on ${this.brokers} stopped`);
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
    const quorum = this.options.quorum ?? [{ nodeId: this.nodeId, controllerPort: this.controllerPort }];
    const { factor, minInsyncReplicas } = this.options.replication ?? { factor: 1, minInsyncReplicas: 1 };
    return [
      'process.roles=broker,controller',
      `node.id=${this.nodeId}`,
      `controller.quorum.voters=${quorum.map((voter) => `${voter.nodeId}@127.0.0.1:${voter.controllerPort}`).join(',')}`,
      ...this.listenerProperties(),
      `log.dirs=${logsDir}`,
      `num.partitions=${partitions}`,
      // topics created without their own settings, and the internal ones, are replicated as the cluster allows
      `default.replication.factor=${factor}`,
      `min.insync.replicas=${minInsyncReplicas}`,
      // a replica that was not in sync never becomes leader: acknowledged records are never dropped
      'unclean.leader.election.enable=false',
      `offsets.topic.replication.factor=${factor}`,
      'offsets.topic.num.partitions=10',
      `transaction.state.log.replication.factor=${factor}`,
      `transaction.state.log.min.isr=${minInsyncReplicas}`,
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

export interface LocalKafkaClusterOptions extends Omit<
  LocalKafkaOptions,
  'port' | 'controllerPort' | 'nodeId' | 'quorum' | 'clusterId' | 'replication' | 'label'
> {
  /**
   * Nodes, each a combined broker and controller. Default 1: a lone broker with its data in `dataDir`
   * itself, as `LocalKafka` runs it. More: node n keeps its data in `dataDir/cluster-<nodes>/node-<n>`.
   */
  nodes?: number;
  /** Client port of node 1; node n listens on `port + 2(n-1)` and its controller on the next port. Default 9092. */
  port?: number;
  /** The ports of each node instead (tests take free ports); their count is the node count. */
  ports?: readonly { port: number; controllerPort: number }[];
}

/**
 * The replication a local cluster of `nodes` brokers gives its topics: three copies where there are
 * three brokers, of which two must hold a record before it is acknowledged (acks=all), so one broker can
 * be lost without losing or refusing a write; one copy on a lone broker.
 */
export function localReplication(nodes: number): ReplicationSettings {
  const factor = Math.min(3, Math.max(1, nodes));
  return { factor, minInsyncReplicas: Math.max(1, factor - 1) };
}

/**
 * One or more local KRaft nodes forming one cluster on loopback: every node is a broker and a voter of the
 * controller quorum, with its own ports, data directory, JVM and watchdog. Nodes can be killed and started
 * again one by one (`node(n)`), which the fault suite does.
 */
export class LocalKafkaCluster {
  readonly nodes: readonly LocalKafka[];
  readonly replication: ReplicationSettings;
  private readonly options: LocalKafkaClusterOptions;

  constructor(options: LocalKafkaClusterOptions) {
    this.options = options;
    const base = options.port ?? 9092;
    const count = options.ports?.length ?? options.nodes ?? 1;
    if (!Number.isInteger(count) || count < 1) {
      throw new LocalKafkaError(`a local Kafka cluster needs at least one node, not ${count}`);
    }
    const ports = Array.from(
      { length: count },
      (_, i) => options.ports?.[i] ?? { port: base + 2 * i, controllerPort: base + 2 * i + 1 },
    );
    this.replication = localReplication(count);
    const quorum = ports.map((p, i) => ({ nodeId: i + 1, controllerPort: p.controllerPort }));
    const { nodes: _nodes, ports: _ports, ...common } = options;
    const make = (clusterId?: string) =>
      ports.map(
        (p, i) =>
          new LocalKafka({
            ...common,
            ...p,
            ...(count > 1
              ? {
                  dataDir: join(resolve(options.dataDir), `cluster-${count}`, `node-${i + 1}`),
                  nodeId: i + 1,
                  quorum,
                  clusterId,
                  replication: this.replication,
                  label: `node ${i + 1}`,
                }
              : {}),
          }),
      );
    // every node must be formatted with the same cluster id: the one a node already holds, or a new one
    const clusterId = make()
      .map((node) => node.storedClusterId)
      .find((id) => id !== undefined);
    this.nodes = make(clusterId ?? newClusterId());
  }

  /** Bootstrap servers, comma-separated (every node). */
  get brokers(): string {
    return this.nodes.map((node) => node.brokers).join(',');
  }

  /** The data directory of the whole cluster. */
  get dataDir(): string {
    return resolve(this.options.dataDir);
  }

  get adminSasl() {
    return this.nodes[0].adminSasl;
  }

  /** True while every node runs. */
  get running(): boolean {
    return this.nodes.every((node) => node.running);
  }

  /** Node `nodeId` (1-based). */
  node(nodeId: number): LocalKafka {
    const node = this.nodes[nodeId - 1];
    if (!node) throw new LocalKafkaError(`the local cluster has no node ${nodeId}`);
    return node;
  }

  /** Starts every node that is not running, together (a quorum needs a majority), and waits for all. */
  async start(): Promise<void> {
    await ensureKafkaJars(this.options.cacheDir, this.options.log);
    const started = await Promise.allSettled(this.nodes.map((node) => node.start()));
    const failed = started.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failed) {
      await this.stop(5000);
      throw failed.reason;
    }
    if (this.nodes.length > 1) await this.waitForBrokers(this.nodes.length);
  }

  /** Stops every node (SIGTERM, SIGKILL after the grace period). */
  async stop(graceMs?: number): Promise<void> {
    await Promise.all(this.nodes.map((node) => node.stop(graceMs)));
  }

  /** Kills every node at once with `signal`. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    await Promise.all(this.nodes.map((node) => node.kill(signal)));
  }

  /** Synchronous last-resort kill for process 'exit' handlers. */
  killNow(): void {
    for (const node of this.nodes) node.killNow();
  }

  /**
   * Partitions of `topics` (default: every topic) with fewer in-sync replicas than replicas, read from
   * any node that answers; 0 once a restarted broker has caught up. Rejects while a leader election
   * leaves some partition without a leader (ask again).
   */
  async underReplicatedPartitions(topics?: string[]): Promise<number> {
    return this.withAdmin(async (admin) => {
      const names = topics ?? (await admin.listTopics());
      const { topics: metadata } = await admin.fetchTopicMetadata({ topics: names });
      return metadata
        .flatMap((topic) => topic.partitions)
        .filter((partition) => partition.isr.length < partition.replicas.length).length;
    });
  }

  /** The node leading most partitions of `topic` (the one whose loss moves most leaders). */
  async busiestLeader(topic: string): Promise<number> {
    return this.withAdmin(async (admin) => {
      const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
      const counts = new Map<number, number>();
      for (const partition of topics[0]?.partitions ?? []) {
        counts.set(partition.leader, (counts.get(partition.leader) ?? 0) + 1);
      }
      return [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? 1;
    });
  }

  /**
   * Moves `partition` of `topic` onto `replicas` (node ids, the first to lead it) and resolves once the
   * move is complete and that node leads it. A leader left out of `replicas` stops leading: how a test
   * moves a leader while a client still sends to the old one.
   */
  async reassign(topic: string, partition: number, replicas: number[]): Promise<void> {
    await this.withAdmin((admin) =>
      admin.alterPartitionReassignments({
        topics: [{ topic, partitionAssignment: [{ partition, replicas }] }],
      }),
    );
    const deadline = Date.now() + (this.options.readyTimeoutMs ?? 90_000);
    for (;;) {
      const done = await this.withAdmin(async (admin) => {
        const { topics: moving } = await admin.listPartitionReassignments({
          topics: [{ topic, partitions: [partition] }],
        });
        const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
        const state = topics[0]?.partitions.find((p) => p.partitionId === partition);
        return (
          moving.length === 0 && state?.leader === replicas[0] && state.replicas.length === replicas.length
        );
      }).catch(() => false);
      if (done) return;
      if (Date.now() > deadline) {
        throw new LocalKafkaError(
          `partition ${topic}/${partition} did not move to ${replicas.join(',')} in time`,
        );
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /** Waits until the cluster lists `count` brokers. */
  async waitForBrokers(count: number, timeoutMs = this.options.readyTimeoutMs ?? 90_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const listed = await this.withAdmin(
        async (admin) => (await admin.describeCluster()).brokers.length,
      ).catch(() => 0);
      if (listed >= count) return;
      if (Date.now() > deadline) {
        throw new LocalKafkaError(
          `the local Kafka cluster did not list ${count} brokers in time (${listed})`,
        );
      }
      await new Promise((r) => setTimeout(r, 300));
    }
  }

  private async withAdmin<T>(fn: (admin: ReturnType<Kafka['admin']>) => Promise<T>): Promise<T> {
    const kafka = new Kafka({
      clientId: 'lienthong-local-kafka-probe',
      brokers: this.nodes.filter((node) => node.running).map((node) => node.brokers),
      logLevel: logLevel.NOTHING,
      retry: { retries: 3, initialRetryTime: 200 },
      connectionTimeout: 1000,
      requestTimeout: 5000,
      ...(this.adminSasl ? { sasl: this.adminSasl } : {}),
    });
    const admin = kafka.admin();
    try {
      await admin.connect();
      return await fn(admin);
    } finally {
      await admin.disconnect().catch(() => undefined);
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
