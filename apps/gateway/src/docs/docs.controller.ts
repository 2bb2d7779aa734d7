import { createReadStream } from 'node:fs';
import { dirname, join } from 'node:path';
import { Controller, Get, Header, Injectable, NotFoundException, Param, Res } from '@nestjs/common';
import { ApiExcludeController, type OpenAPIObject } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';

/**
 * Where swagger-ui-dist's files are. Found by its package file: the package's main module would load the
 * whole browser bundle into the gateway's memory just to say where it is.
 */
const SWAGGER_UI_DIR = dirname(require.resolve('swagger-ui-dist/package.json'));

const ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'application/javascript; charset=utf-8',
  'swagger-ui-standalone-preset.js': 'application/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
};

/** Starts Swagger UI; a file of its own, so the page needs no inline script (Content-Security-Policy). */
const INIT_SCRIPT = `window.ui = SwaggerUIBundle({
  url: '/docs/json',
  dom_id: '#swagger-ui',
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
  layout: 'StandaloneLayout',
  persistAuthorization: true,
});
`;

const PAGE = `<!doctype html>
<html lang="vi">
<head>
  <meta charset="utf-8">
  <title>Liên Thông — API</title>
  <link rel="stylesheet" href="/docs/assets/swagger-ui.css">
  <link rel="icon" type="image/png" href="/docs/assets/favicon-32x32.png">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/docs/assets/swagger-ui-bundle.js"></script>
  <script src="/docs/assets/swagger-ui-standalone-preset.js"></script>
  <script src="/docs/assets/init.js"></script>
</body>
</html>`;

/** The OpenAPI document, built once the app's routes are known (bootstrap sets it). */
@Injectable()
export class OpenApiDocument {
  document?: OpenAPIObject;
}

/**
 * The interactive API documentation: Swagger UI over the document at /docs/json. The handful of UI
 * assets are served from swagger-ui-dist directly, which keeps a static-file plugin out of the gateway.
 * Nest routes, not Swagger's own, so the global guard covers them (operators only); left out of the app
 * entirely when GATEWAY_DOCS is off.
 */
@ApiExcludeController()
@Controller('docs')
export class DocsController {
  constructor(private readonly openApi: OpenApiDocument) {}

  @Get()
  @Header('content-type', 'text/html; charset=utf-8')
  page(): string {
    return PAGE;
  }

  @Get('json')
  json(): OpenAPIObject {
    if (!this.openApi.document) throw new NotFoundException();
    return this.openApi.document;
  }

  @Get('assets/:file')
  asset(@Param('file') file: string, @Res() reply: FastifyReply): void {
    if (file === 'init.js') {
      void reply.header('content-type', 'application/javascript; charset=utf-8').send(INIT_SCRIPT);
      return;
    }
    const type = ASSETS[file];
    if (!type) throw new NotFoundException();
    void reply
      .header('content-type', type)
      .header('cache-control', 'public, max-age=86400')
      .send(createReadStream(join(SWAGGER_UI_DIR, file)));
  }
}
