import type { FastifyRequest } from 'fastify';
import type { Caller } from './clients.types';

/**
 * Optional provider: callers signed in to a browser session (the operations console). The guard asks it
 * first; `undefined` means "no session on this request" and the guard goes on to the API key or client
 * certificate. It answers only for the routes it serves, and refuses (throws ProblemException) a state-changing
 * request without its CSRF token. The caller it returns goes through the same role, rate and service
 * checks as any other.
 */
export abstract class SessionAuthenticator {
  abstract authenticate(request: FastifyRequest): Caller | undefined;
}
