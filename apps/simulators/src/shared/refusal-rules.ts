/**
 * Refusals on demand for the agency-system simulators: "refuse the application whose request id, or one of
 * whose personal IDs, is X, with this reason". A rule stays until cleared, so a repeated request is refused
 * the same way (and a stored refusal is answered again by idempotency anyway).
 */
export interface RefusalRule {
  /** A request/transaction id, or a personal ID that appears in the request. */
  match: string;
  /** The system's reason code. */
  code: string;
  /** The reason as the citizen reads it. */
  reason: string;
}

export class RefusalRules {
  private readonly rules = new Map<string, RefusalRule>();

  add(rule: RefusalRule): void {
    if (!rule.match || !rule.code || !rule.reason) {
      throw new RangeError('a refusal needs match, code and reason');
    }
    this.rules.set(rule.match, { ...rule });
  }

  /** The first rule matching one of `keys` (request id first, then the personal IDs of the request). */
  find(keys: (string | undefined)[]): RefusalRule | undefined {
    for (const key of keys) {
      if (key === undefined) continue;
      const rule = this.rules.get(key);
      if (rule) return { ...rule };
    }
    return undefined;
  }

  list(): RefusalRule[] {
    return [...this.rules.values()].map((rule) => ({ ...rule }));
  }

  clear(): void {
    this.rules.clear();
  }
}

/** Reads `{match, code, reason}` from an admin request body; throws RangeError when incomplete. */
export function parseRefusalRule(body: unknown): RefusalRule {
  const value = (body ?? {}) as Record<string, unknown>;
  const { match, code, reason } = value;
  if (typeof match !== 'string' || typeof code !== 'string' || typeof reason !== 'string') {
    throw new RangeError('a refusal is {match, code, reason}, all strings');
  }
  return { match, code, reason };
}

/** The part of a fastify app the refusal admin routes need. */
interface AdminRoutes {
  get(path: string, handler: () => Promise<unknown>): unknown;
  post(path: string, handler: (request: { body: unknown }, reply: AdminReply) => Promise<unknown>): unknown;
  delete(path: string, handler: (request: unknown, reply: AdminReply) => Promise<unknown>): unknown;
}
interface AdminReply {
  code(status: number): { send(payload?: unknown): unknown };
}

/** `GET|POST|DELETE /__admin/refusals` of an agency-system simulator: list, add (400 if malformed), clear. */
export function registerRefusalAdmin(app: AdminRoutes, refusals: RefusalRules): void {
  app.get('/__admin/refusals', async () => refusals.list());
  app.post('/__admin/refusals', async (request, reply) => {
    try {
      refusals.add(parseRefusalRule(request.body));
      return refusals.list();
    } catch (error) {
      return reply.code(400).send({ message: (error as Error).message });
    }
  });
  app.delete('/__admin/refusals', async (_request, reply) => {
    refusals.clear();
    return reply.code(204).send();
  });
}
