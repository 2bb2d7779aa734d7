import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Controller, Get, NotFoundException, Param, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { repoRoot } from '@lienthong/config';

/** Where `npm run build` writes the console's front-end (scripts/build.mjs bundles apps/console). */
export const CONSOLE_ASSETS_DIR = join('dist', 'console');

const TYPES: Record<string, string> = {
  'app.js': 'application/javascript; charset=utf-8',
  'app.css': 'text/css; charset=utf-8',
};

/**
 * The console's page and its two bundled files, served by the gateway itself (no second server, no
 * static-file plugin: a fixed list read once). Public like a sign-in form: the page holds no data; every
 * figure it shows comes from /console/api, which needs a signed-in operator.
 */
@ApiExcludeController()
@Controller('console')
export class ConsoleAssetsController {
  private readonly files = new Map<string, Buffer>();

  private read(name: string): Buffer {
    let file = this.files.get(name);
    if (!file) {
      try {
        file = readFileSync(join(repoRoot(), CONSOLE_ASSETS_DIR, name));
      } catch {
        throw new NotFoundException(`The console is not built: run npm run build (${name} missing).`);
      }
      this.files.set(name, file);
    }
    return file;
  }

  @Get()
  page(@Res() reply: FastifyReply): void {
    void reply
      .header('content-type', 'text/html; charset=utf-8')
      .header('cache-control', 'no-cache')
      .send(this.read('index.html'));
  }

  @Get('assets/:file')
  asset(@Param('file') name: string, @Res() reply: FastifyReply): void {
    const type = TYPES[name];
    if (!type) throw new NotFoundException('No such console asset.');
    void reply.header('content-type', type).header('cache-control', 'no-cache').send(this.read(name));
  }
}
