/**
 * `npm run bench -- lookups`: the citizen lookup (signed SOAP over mutual TLS to the population simulator)
 * called directly with the adapter from this process, and through the gateway on a cache miss and on a cache
 * hit, plus a bare NestJS-on-Fastify echo route as the cache-hit baseline — all in the same run, with the
 * ratios and the gateway's resident memory under load. Prints figures; asserts nothing.
 */
import { readFileSync } from 'node:fs';
import { Pool } from 'undici';
import { createPopulationDataset } from '../../apps/simulators/src/population';
import { PopulationClient, populationClientOptionsFromDevPki } from '@lienthong/adapters/population';
import { BenchEnvironment, percentile, runFor } from './bench-environment';
import { processCpuMs } from './cpu';

const CONCURRENCY = 64;
const DOSSIER = '000.17.22.H56-261031-0007';

interface Measured {
  perSecond: number;
  p50: number;
  p99: number;
  errors: number;
}

async function measure(seconds: number, call: () => Promise<boolean>): Promise<Measured> {
  const latencies: number[] = [];
  let errors = 0;
  const run = await runFor(seconds, CONCURRENCY, async () => {
    const started = performance.now();
    const ok = await call().catch(() => false);
    latencies.push(performance.now() - started);
    if (!ok) errors++;
    return ok ? 1 : 0;
  });
  return { perSecond: run.perSecond, p50: percentile(latencies, 50), p99: percentile(latencies, 99), errors };
}

/**
 * The gateway's V8 heap from its own process metrics, `used / total` in MB, and the audit records waiting
 * in its memory to be written (each about 0.7 KB of heap).
 */
async function heapFigures(
  gatewayUrl: string,
  apiKey: string,
): Promise<{ heap: string; auditQueue: string }> {
  const text = await fetch(`${gatewayUrl}/metrics`, { headers: { authorization: `Bearer ${apiKey}` } })
    .then((response) => response.text())
    .catch(() => '');
  const value = (name: string) => {
    const match = new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.e+]+)$`, 'm').exec(text);
    return match ? (Number(match[1]) / 1048576).toFixed(0) : '?';
  };
  const queue = /^lgsp_audit_queue_depth(?:\{[^}]*\})? ([0-9.e+]+)$/m.exec(text);
  return {
    heap: `${value('nodejs_heap_size_used_bytes')} / ${value('nodejs_heap_size_total_bytes')}`,
    auditQueue: queue ? queue[1] : '?',
  };
}

function rssMb(pid: number | undefined): number {
  if (!pid) return NaN;
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

export async function lookupsBench(env: BenchEnvironment): Promise<void> {
  const seconds = Number(process.env.LGSP_BENCH_SECONDS ?? 8);
  const lookups = env.lookups;
  const dataset = createPopulationDataset();
  let next = 0;
  /** A citizen never asked for before in this run: every lookup with it is a cache miss. */
  const freshId = () => dataset.citizenAt(next++ % dataset.size).personalId;

  // 1. Directly: the adapter the gateway uses, from this process, against the simulator.
  const client = new PopulationClient(
    populationClientOptionsFromDevPki(lookups.pkiDir, lookups.populationServiceUrl, {
      connections: CONCURRENCY,
    }),
  );
  let request = 0;
  let calls = 0;
  const ownCpuBefore = process.cpuUsage();
  const direct = await measure(seconds, async () => {
    calls++;
    await client.lookupCitizen(freshId(), { requestId: `bench-${request++}` });
    return true;
  });
  const ownCpu = process.cpuUsage(ownCpuBefore);
  const directCpuMs = (ownCpu.user + ownCpu.system) / 1000 / calls;
  await client.close();

  // 2. Through the gateway. Misses first (each citizen once), then hits on a warmed set.
  const pool = new Pool(env.gatewayUrl, { connections: CONCURRENCY, pipelining: 1 });
  const lookup = async (personalId: string): Promise<boolean> => {
    const response = await pool.request({
      path: '/v1/citizens/lookup',
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${env.apiKey}` },
      body: JSON.stringify({ personalId, purpose: 'DOSSIER_PROCESSING', dossierCode: DOSSIER }),
    });
    await response.body.dump();
    return response.statusCode === 200;
  };
  const rssAtStart = rssMb(lookups.gatewayPid);
  let rssPeak = 0;
  const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, rssMb(lookups.gatewayPid) || 0)), 250);
  const gatewayPid = lookups.gatewayPid;
  let cpuBefore = processCpuMs(gatewayPid);
  let answered = 0;
  const counted = async (personalId: string) => {
    const ok = await lookup(personalId);
    answered++;
    return ok;
  };
  const miss = await measure(seconds, () => counted(freshId()));
  const missCpuMs = (processCpuMs(gatewayPid) - cpuBefore) / answered;
  const warm = Array.from({ length: 2000 }, () => freshId());
  for (let i = 0; i < warm.length; i += CONCURRENCY) {
    await Promise.all(warm.slice(i, i + CONCURRENCY).map((id) => lookup(id)));
  }
  let turn = 0;
  cpuBefore = processCpuMs(gatewayPid);
  answered = 0;
  const hit = await measure(seconds, () => counted(warm[turn++ % warm.length]));
  const hitCpuMs = (processCpuMs(gatewayPid) - cpuBefore) / answered;
  clearInterval(sampler);
  const memory = await heapFigures(env.gatewayUrl, env.apiKey);
  await pool.close();

  // 3. The bare NestJS-on-Fastify echo route (P2 baseline), same connections, same body size.
  const echoPool = new Pool(lookups.echoUrl, { connections: CONCURRENCY, pipelining: 1 });
  const echoBody = JSON.stringify({
    personalId: warm[0],
    purpose: 'DOSSIER_PROCESSING',
    dossierCode: DOSSIER,
  });
  const echoCpuBefore = processCpuMs(lookups.echoPid);
  let echoed = 0;
  const echo = await measure(seconds, async () => {
    echoed++;
    const response = await echoPool.request({
      path: '/echo',
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: echoBody,
    });
    await response.body.dump();
    return response.statusCode === 200;
  });
  const echoCpuMs = (processCpuMs(lookups.echoPid) - echoCpuBefore) / echoed;
  await echoPool.close();

  const row = (name: string, m: Measured, goal = '') =>
    console.log(
      `  ${name.padEnd(58)} ${m.perSecond.toFixed(0).padStart(7)}/s   p50 ${m.p50.toFixed(1).padStart(6)} ms   p99 ${m.p99.toFixed(1).padStart(6)} ms${m.errors ? `   (${m.errors} failed)` : ''}   ${goal}`,
    );
  const line = (name: string, value: string, goal = '') =>
    console.log(`  ${name.padEnd(58)} ${value.padStart(7)}   ${goal}`);
  console.log(`\nlookups (citizen lookup, ${CONCURRENCY} connections, ${seconds} s each)`);
  row('directly: adapter → population simulator (signed SOAP, mTLS)', direct);
  row('gateway POST /v1/citizens/lookup, cache miss', miss, '(goal ≥ 2200/s, p99 ≤ 50 ms)');
  row('gateway POST /v1/citizens/lookup, cache hit', hit);
  row('bare NestJS-on-Fastify echo route', echo);
  line('ratio miss gateway/direct', (miss.perSecond / direct.perSecond).toFixed(2));
  line('ratio hit gateway/direct', (hit.perSecond / direct.perSecond).toFixed(2));
  line('ratio hit gateway/echo route', (hit.perSecond / echo.perSecond).toFixed(2), '(goal ≥ 0.70)');
  line('adapter CPU per direct call, in this process (ms)', directCpuMs.toFixed(3));
  line('gateway CPU per cache-miss lookup (ms)', missCpuMs.toFixed(3));
  line('gateway CPU per cache-hit lookup (ms)', hitCpuMs.toFixed(3));
  line('echo route CPU per request (ms)', echoCpuMs.toFixed(3));
  line('gateway resident memory before the lookups (MB)', rssAtStart.toFixed(0));
  line('gateway V8 heap used / heap total after the hits (MB)', memory.heap);
  line('gateway audit records waiting in memory after the hits', memory.auditQueue);
  line('gateway resident memory, peak under load (MB)', rssPeak.toFixed(0), '(goal ≤ 250)');
  env.record('lookups', {
    directPerSecond: direct.perSecond,
    directP50Ms: direct.p50,
    directP99Ms: direct.p99,
    missPerSecond: miss.perSecond,
    missP50Ms: miss.p50,
    missP99Ms: miss.p99,
    missErrors: miss.errors,
    hitPerSecond: hit.perSecond,
    hitP50Ms: hit.p50,
    hitP99Ms: hit.p99,
    hitErrors: hit.errors,
    echoPerSecond: echo.perSecond,
    missToDirect: miss.perSecond / direct.perSecond,
    hitToDirect: hit.perSecond / direct.perSecond,
    hitToEcho: hit.perSecond / echo.perSecond,
    directCpuPerCallMs: directCpuMs,
    gatewayCpuPerMissMs: missCpuMs,
    gatewayCpuPerHitMs: hitCpuMs,
    echoCpuPerRequestMs: echoCpuMs,
    gatewayRssAtStartMb: rssAtStart,
    gatewayRssPeakMb: rssPeak,
  });
}
