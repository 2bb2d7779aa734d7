import { Controller, DynamicModule, Get, Headers, Inject, Module, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';

/**
 * The index of the stand-ins for the upstreams (population, business registry, land, public service
 * portal), each speaking its own wire format on its own port: `GET /` lists where each one is, how to
 * call it, its contract and its fault controls (JSON, or a page for a browser); `GET /health/ready`
 * answers 200 while every simulator accepts connections.
 */

/** One running simulator, as the index lists it. */
export interface SimulatedUpstream {
  /** Short name, e.g. `population`. */
  name: string;
  /** The system it stands in for. */
  system: string;
  /** Base URL of the simulator. */
  url: string;
  protocol: string;
  /** How a caller authenticates. */
  auth: string;
  /** The upstream's published contract, relative to the repository root. */
  contract: string;
  /** The service routes. */
  endpoints: Record<string, string>;
  /** `faults`: `GET` shows, `POST` sets (JSON), `DELETE` clears; other admin routes beside it. */
  admin: { faults: string } & Record<string, string>;
  /** The simulator's own health route, when it has one. */
  health?: string;
  /** What the synthetic data holds. */
  dataset?: string;
}

export interface SimulatorStatus {
  status: 'up' | 'down';
  /** Faults currently injected (as `GET <admin.faults>` shows them). */
  faults: unknown;
}

/** What the index controller reads; built by startSimulators. */
export interface SimulatorsIndex {
  upstreams(): readonly SimulatedUpstream[];
  status(): Promise<Record<string, SimulatorStatus>>;
}

export const SIMULATORS_INDEX = Symbol('SIMULATORS_INDEX');

@Controller()
class SimulatorsIndexController {
  constructor(@Inject(SIMULATORS_INDEX) private readonly index: SimulatorsIndex) {}

  @Get()
  list(@Headers('accept') accept: string | undefined, @Res({ passthrough: true }) reply: FastifyReply) {
    const simulators = this.index.upstreams();
    if (prefersHtml(accept)) {
      void reply.header('content-type', 'text/html; charset=utf-8');
      return indexPage(simulators);
    }
    return { simulators };
  }

  @Get('health/live')
  live() {
    return { status: 'ok' };
  }

  @Get('health/ready')
  async ready(@Res({ passthrough: true }) reply: FastifyReply) {
    const simulators = await this.index.status();
    const up = Object.values(simulators).every((simulator) => simulator.status === 'up');
    if (!up) void reply.code(503);
    return { status: up ? 'ok' : 'error', simulators };
  }
}

@Module({})
export class SimulatorsModule {
  static forRoot(index: SimulatorsIndex): DynamicModule {
    return {
      module: SimulatorsModule,
      controllers: [SimulatorsIndexController],
      providers: [{ provide: SIMULATORS_INDEX, useValue: index }],
    };
  }
}

/** A browser asks for HTML first; curl and fetch send `*\/*` or JSON and get JSON. */
function prefersHtml(accept: string | undefined): boolean {
  if (!accept) return false;
  const html = accept.indexOf('text/html');
  const json = accept.indexOf('application/json');
  return html !== -1 && (json === -1 || html < json);
}

function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
  );
}

function indexPage(simulators: readonly SimulatedUpstream[]): string {
  const list = (entries: Record<string, string | undefined>) =>
    Object.entries(entries)
      .filter((entry): entry is [string, string] => entry[1] !== undefined)
      .map(([label, value]) => `<li>${escapeHtml(label)}: <code>${escapeHtml(value)}</code></li>`)
      .join('');
  const rows = simulators
    .map(
      (s) => `<section>
  <h2>${escapeHtml(s.name)} <small>${escapeHtml(s.system)}</small></h2>
  <ul>${list({
    url: s.url,
    protocol: s.protocol,
    auth: s.auth,
    contract: s.contract,
    data: s.dataset,
    health: s.health,
  })}</ul>
  <h3>endpoints</h3><ul>${list(s.endpoints)}</ul>
  <h3>admin (fault controls: GET shows, POST sets, DELETE clears)</h3><ul>${list(s.admin)}</ul>
</section>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Liên Thông — upstream simulators</title>
<style>body{font-family:sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}small{color:#666;font-weight:normal}code{background:#f3f3f3;padding:0 .2rem}</style>
</head>
<body>
<h1>Upstream simulators</h1>
<p>Synthetic data only. <code>lienthong sim sample</code> prints identifiers that exist. JSON: <code>curl -s &lt;this URL&gt;</code>; readiness: <code>/health/ready</code>.</p>
${rows}
</body>
</html>`;
}
