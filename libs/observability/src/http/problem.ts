import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Problem, ProblemExtensions, ProblemFieldError } from '@lienthong/contracts';
import type { AppLogger } from '../logger';
import { redactText } from '../redact';

/**
 * RFC 9457 problem details as every HTTP endpoint of Liên Thông returns them: the problem contract
 * (contracts/schemas/problem.v1.json, through @lienthong/contracts), whose request id is filled in when the
 * problem is sent.
 */
export type ProblemDetails = Omit<Problem, 'requestId'> & { requestId?: string };
export type { ProblemExtensions, ProblemFieldError };

/**
 * Prefix of the problem `type` URIs: a URN in the project's own namespace (as the schema `$id`s), an identifier
 * clients compare, never a page to fetch (RFC 9457 allows a non-resolvable type URI).
 */
export const PROBLEM_TYPE_BASE = 'urn:vn:lienthong:problem:';
export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** The problem `type` URI of a code: INVALID_EVENT → urn:vn:lienthong:problem:invalid-event. */
export function problemType(code: string): string {
  return PROBLEM_TYPE_BASE + code.toLowerCase().replace(/_/g, '-');
}

/** Thrown by use cases and controllers; the filter renders it as problem+json. */
export class ProblemException extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly title: string,
    readonly detail?: string,
    readonly errors?: ProblemFieldError[],
    readonly headers: Record<string, string> = {},
    /** Extra members of the problem object (RFC 9457 extensions the contract names), e.g. a batch's results. */
    readonly extensions: ProblemExtensions = {},
  ) {
    super(detail ?? title);
    this.name = 'ProblemException';
  }
}

/** Turns an error a library knows into the problem that says what happened, or leaves it (undefined). */
export type ProblemTranslator = (error: unknown) => ProblemException | undefined;

// Kept on globalThis, by name, so a translator registered through one copy of a library module (a test
// file's module registry, say) is seen by the filter of another, and registered once however often loaded.
const TRANSLATORS_KEY = Symbol.for('lienthong.observability.problem-translators');

function translators(): Map<string, ProblemTranslator> {
  const holder = globalThis as unknown as Record<symbol, Map<string, ProblemTranslator> | undefined>;
  return (holder[TRANSLATORS_KEY] ??= new Map());
}

/**
 * Lets a library answer its own failures on every route at once (the storage library: a database out of
 * reach is a 503 with Retry-After, not a 500). A route that knows better throws its own ProblemException
 * first; only errors no route turned into a problem reach the translators.
 */
export function registerProblemTranslator(name: string, translate: ProblemTranslator): void {
  translators().set(name, translate);
}

const STATUS_CODES: Record<number, [code: string, title: string]> = {
  400: ['BAD_REQUEST', 'Bad request'],
  401: ['UNAUTHENTICATED', 'Authentication required'],
  403: ['FORBIDDEN', 'Forbidden'],
  404: ['NOT_FOUND', 'Not found'],
  405: ['METHOD_NOT_ALLOWED', 'Method not allowed'],
  406: ['NOT_ACCEPTABLE', 'Not acceptable'],
  409: ['CONFLICT', 'Conflict'],
  413: ['PAYLOAD_TOO_LARGE', 'Request body too large'],
  415: ['UNSUPPORTED_MEDIA_TYPE', 'Unsupported media type'],
  422: ['UNPROCESSABLE', 'Unprocessable content'],
  429: ['RATE_LIMITED', 'Too many requests'],
  503: ['UNAVAILABLE', 'Service unavailable'],
};

/** Errors raised by Fastify itself before a route runs (body parsing, content type, size). */
const FASTIFY_CODES: Record<string, [status: number, code: string, title: string]> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: [415, 'UNSUPPORTED_MEDIA_TYPE', 'Unsupported media type'],
  FST_ERR_CTP_BODY_TOO_LARGE: [413, 'PAYLOAD_TOO_LARGE', 'Request body too large'],
  FST_ERR_CTP_EMPTY_JSON_BODY: [400, 'MALFORMED_JSON', 'Request body is not valid JSON'],
  FST_ERR_CTP_INVALID_JSON_BODY: [400, 'MALFORMED_JSON', 'Request body is not valid JSON'],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: [400, 'BAD_REQUEST', 'Invalid Content-Length'],
};

export function toProblem(error: unknown): {
  problem: Omit<ProblemDetails, 'requestId'>;
  headers: Record<string, string>;
  unexpected: boolean;
} {
  if (error instanceof ProblemException) {
    return {
      problem: {
        type: problemType(error.code),
        title: error.title,
        status: error.status,
        code: error.code,
        ...(error.detail ? { detail: error.detail } : {}),
        ...(error.errors?.length ? { errors: error.errors } : {}),
        ...error.extensions,
      },
      headers: error.headers,
      unexpected: false,
    };
  }
  const fastifyCode = (error as { code?: unknown })?.code;
  if (typeof fastifyCode === 'string' && FASTIFY_CODES[fastifyCode]) {
    const [status, code, title] = FASTIFY_CODES[fastifyCode];
    return {
      problem: { type: problemType(code), title, status, code },
      headers: {},
      unexpected: false,
    };
  }
  if (error instanceof SyntaxError && (error as { statusCode?: number }).statusCode === 400) {
    return toProblem(new ProblemException(400, 'MALFORMED_JSON', 'Request body is not valid JSON'));
  }
  if (error instanceof HttpException) {
    const status = error.getStatus();
    // Nest re-raises Fastify's body-parsing errors as plain HttpExceptions, keeping only the message.
    if (status === 400 && /\bJSON\b/.test(error.message)) {
      return toProblem(new ProblemException(400, 'MALFORMED_JSON', 'Request body is not valid JSON'));
    }
    const [code, title] = STATUS_CODES[status] ?? [
      status >= 500 ? 'INTERNAL' : 'BAD_REQUEST',
      'Request failed',
    ];
    const response = error.getResponse();
    const message =
      typeof response === 'object' && response !== null
        ? (response as { message?: unknown }).message
        : response;
    const errors: ProblemFieldError[] | undefined = Array.isArray(message)
      ? message.map((text) => ({ path: '', code: 'INVALID', message: redactText(String(text)) }))
      : undefined;
    return {
      problem: {
        type: problemType(code),
        title,
        status,
        code,
        ...(typeof message === 'string' && status < 500 ? { detail: redactText(message) } : {}),
        ...(errors ? { errors } : {}),
      },
      headers: {},
      unexpected: status >= 500,
    };
  }
  for (const translate of translators().values()) {
    const translated = translate(error);
    if (translated) return toProblem(translated);
  }
  const status = (error as { statusCode?: unknown })?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const [code, title] = STATUS_CODES[status] ?? ['BAD_REQUEST', 'Bad request'];
    return {
      problem: { type: problemType(code), title, status, code },
      headers: {},
      unexpected: false,
    };
  }
  return {
    problem: {
      type: problemType('INTERNAL'),
      title: 'Internal error',
      status: HttpStatus.INTERNAL_SERVER_ERROR,
      code: 'INTERNAL',
      detail: 'The request could not be completed; quote the request id to the operators.',
    },
    headers: {},
    unexpected: true,
  };
}

/** One filter for every HTTP error: problem+json with the request id, no stack, no personal data. */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  constructor(private readonly logger: AppLogger) {}

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const { problem, headers, unexpected } = toProblem(error);
    const body: ProblemDetails = {
      ...problem,
      instance: request.url.split('?')[0],
      requestId: String(request.id),
    };
    if (unexpected) {
      const err = error instanceof Error ? error : new Error(String(error));
      this.logger.error(
        {
          requestId: request.id,
          route: request.routeOptions?.url,
          err: { type: err.name, message: err.message },
        },
        'request failed unexpectedly',
      );
      if (this.logger.isLevelEnabled('debug'))
        this.logger.debug({ requestId: request.id, stack: err.stack }, 'stack');
    }
    void reply.status(problem.status).headers(headers).type(PROBLEM_CONTENT_TYPE).send(body);
  }
}
