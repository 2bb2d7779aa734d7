import { Catch, Inject, Injectable, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { createLogger, ProblemException, ProblemFilter, type AppLogger } from '@lienthong/observability';
import { DOCUMENTS_OPTIONS, type DocumentsModuleOptions } from './documents.options';
import { DocumentsService } from './documents.service';

/**
 * On the search route: a refusal by the access policy or the rate limit (raised by LookupGuard before the
 * controller, once the caller is known) is audited like a refused lookup, then answered as problem+json
 * like every other error. Failures after the policy allowed the request are audited by the use case.
 */
@Catch(ProblemException)
@Injectable()
export class SearchRefusalFilter implements ExceptionFilter {
  private readonly problems: ProblemFilter;
  private readonly logger: AppLogger;

  constructor(
    private readonly service: DocumentsService,
    @Inject(DOCUMENTS_OPTIONS) options: DocumentsModuleOptions,
  ) {
    this.logger = options.logger ?? createLogger({ name: 'lienthong-documents' });
    this.problems = new ProblemFilter(this.logger);
  }

  async catch(error: ProblemException, host: ArgumentsHost): Promise<void> {
    const request = host.switchToHttp().getRequest<FastifyRequest>();
    if (request.caller && !request.access) {
      try {
        await this.service.recordRefusedSearch(
          request.body,
          { requestId: String(request.id), caller: request.caller },
          error,
        );
      } catch (failure) {
        this.logger.error(
          {
            requestId: request.id,
            err: { type: (failure as Error).name, message: (failure as Error).message },
          },
          'refused document search not recorded in the audit log',
        );
      }
    }
    this.problems.catch(error, host);
  }
}
