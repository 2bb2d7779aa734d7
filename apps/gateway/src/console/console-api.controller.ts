import { Body, Controller, Get, Header, HttpCode, Inject, Param, Post, Query, Req } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import type { DeadLetterFilter } from '@lienthong/messaging';
import { ProblemException } from '@lienthong/observability';
import { ConsoleCertificates } from './console-certificates';
import { ConsoleDataProtection } from './console-data-protection';
import { ConsoleDeadLetters } from './console-dead-letters';
import { ConsoleDiagnostics } from './console-diagnostics';
import { ConsoleOverview } from './console-overview';
import { ConsolePortalSync, parseMinAge } from './console-portal-sync';
import { ConsoleScorecard } from './console-scorecard';

const LETTER_ID = /^\d{1,5}-\d{1,20}$/;
const MAX_IDS = 1_000;

function invalid(detail: string, path: string): ProblemException {
  return new ProblemException(400, 'INVALID_FILTER', 'Invalid dead-letter filter', detail, [
    { path, code: 'INVALID', message: detail },
  ]);
}

/** The dead-letter filter of a query string or a replay body: ids, reason code, source topic, time range. */
export function parseFilter(input: Record<string, unknown>): DeadLetterFilter {
  const text = (name: string, pattern: RegExp): string | undefined => {
    const value = input[name];
    if (value === undefined || value === '') return undefined;
    if (typeof value !== 'string' || !pattern.test(value)) throw invalid(`${name} is not valid.`, `/${name}`);
    return value;
  };
  const time = (name: string): Date | undefined => {
    const value = text(name, /^[0-9T:.+\-Z ]{4,40}$/);
    if (value === undefined) return undefined;
    const date = new Date(value);
    if (Number.isNaN(date.getTime())) throw invalid(`${name} must be a date-time (ISO 8601).`, `/${name}`);
    return date;
  };
  let ids: string[] | undefined;
  const rawIds = input.ids;
  if (rawIds !== undefined && rawIds !== '') {
    const list = Array.isArray(rawIds) ? rawIds : typeof rawIds === 'string' ? rawIds.split(',') : undefined;
    if (!list || list.length > MAX_IDS || !list.every((id) => typeof id === 'string' && LETTER_ID.test(id))) {
      throw invalid('ids must be dead-letter ids (<partition>-<offset>).', '/ids');
    }
    ids = list as string[];
  }
  return {
    ids,
    code: text('code', /^[A-Z][A-Z0-9_]{0,63}$/),
    sourceTopic: text('topic', /^[A-Za-z0-9._-]{1,249}$/),
    since: time('since'),
    until: time('until'),
  };
}

/**
 * The console's data, for a signed-in operator (the OPERATOR role), and the data-protection page, for a
 * data-protection officer (DATA_PROTECTION_OFFICER); route table in route-access.ts.
 * Refusals and bad input are problem+json like everywhere in the gateway.
 */
@ApiExcludeController()
@Controller('console/api')
export class ConsoleApiController {
  constructor(
    @Inject(ConsoleOverview) private readonly overview: ConsoleOverview,
    @Inject(ConsoleDeadLetters) private readonly deadLetters: ConsoleDeadLetters,
    @Inject(ConsoleScorecard) private readonly scorecard: ConsoleScorecard,
    @Inject(ConsoleDiagnostics) private readonly diagnostics: ConsoleDiagnostics,
    @Inject(ConsolePortalSync) private readonly portalSync: ConsolePortalSync,
    @Inject(ConsoleDataProtection) private readonly dataProtection: ConsoleDataProtection,
    @Inject(ConsoleCertificates) private readonly certificates: ConsoleCertificates,
  ) {}

  @Get('overview')
  current() {
    return this.overview.current();
  }

  /** One upstream: whether the gateway calls it from here, and its failures of the last hour by reason. */
  @Get('upstreams/:name')
  upstream(@Param('name') name: string) {
    return this.diagnostics.detail(name);
  }

  /** "Check connection": DNS, TCP, TLS, authentication and one harmless call, each step's result; audited. */
  @Post('upstreams/:name/check')
  @HttpCode(200)
  check(@Param('name') name: string, @Req() request: FastifyRequest) {
    return this.diagnostics.check(name, request.caller!, String(request.id));
  }

  /** Dossiers whose latest status the portal does not have yet, oldest first. */
  @Get('portal-sync/gaps')
  gaps(@Query('minAge') minAge: unknown) {
    return this.portalSync.gaps(parseMinAge(minAge));
  }

  /** Sends a dossier's latest status to the portal again (its retry topic); audited. */
  @Post('portal-sync/again')
  @HttpCode(200)
  syncAgain(@Body() body: unknown, @Req() request: FastifyRequest) {
    const code =
      typeof body === 'object' && body !== null ? (body as { dossierCode?: unknown }).dossierCode : undefined;
    return this.portalSync.syncAgain(code, request.caller!, String(request.id));
  }

  /**
   * Who looked up a person (DATA_PROTECTION_OFFICER): the personal ID in the body, never in the URL; the
   * search is audited.
   */
  @Post('data-protection/lookups')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  lookups(@Body() body: unknown, @Req() request: FastifyRequest) {
    return this.dataProtection.whoLookedUp(body, request.caller!, String(request.id));
  }

  /** The audit chain verified over its newest records, and its last verified checkpoint (DATA_PROTECTION_OFFICER). */
  @Get('data-protection/audit-chain')
  chain() {
    return this.dataProtection.chainStatus();
  }

  /** Every certificate in use with days to expiry, and the signing keys. */
  @Get('certificates')
  certificateList() {
    return this.certificates.list();
  }

  @Get('dead-letters')
  async list(@Query() query: Record<string, unknown>) {
    return { deadLetters: await this.deadLetters.list(parseFilter(query)) };
  }

  @Get('dead-letters/:id')
  inspect(@Param('id') id: string) {
    if (!LETTER_ID.test(id)) throw invalid('Not a dead-letter id.', '/id');
    return this.deadLetters.inspect(id);
  }

  /**
   * `{ dryRun: true, ...filter }` answers what would be replayed; without dryRun the replay starts and
   * the answer names the job to follow. A replay must name ids or a time range (as the CLI demands).
   */
  @Post('dead-letters/replay')
  async replay(@Body() body: unknown, @Req() request: FastifyRequest) {
    const input = typeof body === 'object' && body !== null && !Array.isArray(body) ? body : {};
    const filter = parseFilter(input as Record<string, unknown>);
    if (!filter.ids?.length && !filter.since && !filter.until) {
      throw invalid('Name what to replay: ids, or a time range (since/until).', '/ids');
    }
    if ((input as { dryRun?: unknown }).dryRun === true) {
      return { dryRun: true, deadLetters: await this.deadLetters.dryRun(filter) };
    }
    return this.deadLetters.replay(filter, request.caller!);
  }

  @Get('replays/:id')
  job(@Param('id') id: string) {
    return this.deadLetters.job(id);
  }

  @Get('scorecard')
  card(@Query('agency') agency: unknown, @Query('period') period: unknown) {
    return this.scorecard.card(agency, period);
  }

  /** The dossiers behind a bad number of one agency and month: late, not synced to the portal, not digitised. */
  @Get('scorecard/dossiers')
  behind(@Query('agency') agency: unknown, @Query('period') period: unknown, @Query('kind') kind: unknown) {
    return this.scorecard.behind(agency, period, kind);
  }
}
