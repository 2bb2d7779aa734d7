import { toProblem } from '@lienthong/observability';
import { CommitOutcomeUnknownError, DatabaseTimeoutError } from './errors';
import './problems';

const refused = () =>
  Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });

describe('the problem a database failure is answered with on any route', () => {
  it.each([
    ['a refused connection', refused()],
    ['a connection lost mid-statement', new Error('Connection terminated unexpectedly')],
    ['a server shutting down', Object.assign(new Error('terminating connection'), { code: '57P01' })],
    ['a health ping out of time', new DatabaseTimeoutError('ping', 1500)],
  ])('%s: 503 DATABASE_UNAVAILABLE with Retry-After, not an unexpected 500', (_, error) => {
    const { problem, headers, unexpected } = toProblem(error);
    expect(problem).toMatchObject({ status: 503, code: 'DATABASE_UNAVAILABLE' });
    expect(headers).toEqual({ 'retry-after': '5' });
    expect(unexpected).toBe(false);
    expect(JSON.stringify(problem)).not.toMatch(/ECONNREFUSED|5432|terminat/);
  });

  it('a COMMIT whose outcome could not be learnt: 503 OUTCOME_UNKNOWN, never that nothing happened', () => {
    const { problem, headers } = toProblem(new CommitOutcomeUnknownError(refused()));
    expect(problem).toMatchObject({ status: 503, code: 'OUTCOME_UNKNOWN' });
    expect(headers).toEqual({ 'retry-after': '5' });
  });

  it('leaves other errors alone: a unique violation is still an unexpected 500', () => {
    const violation = Object.assign(new Error('duplicate key value violates unique constraint'), {
      code: '23505',
    });
    const { problem, unexpected } = toProblem(violation);
    expect(problem).toMatchObject({ status: 500, code: 'INTERNAL' });
    expect(unexpected).toBe(true);
  });
});
