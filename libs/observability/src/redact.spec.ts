import { Writable } from 'node:stream';
import { HttpException, NotFoundException } from '@nestjs/common';
import { createLogger } from './logger';
import { toProblem, ProblemException } from './http/problem';
import { REDACTED, redactText, redactValue } from './redact';

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  return { lines, logger: createLogger({ name: 'test', level: 'debug', destination }) };
}

describe('personal-data redaction', () => {
  it.each([
    ['look up 079203001234 now', `look up ${REDACTED} now`],
    ['old card 025123456', `old card ${REDACTED}`],
    ['enterprise 0100233488 stays', 'enterprise 0100233488 stays'],
    ['dossier 000.17.22.H56-210531-0001 stays', 'dossier 000.17.22.H56-210531-0001 stays'],
    ['a 13-digit 0792030012345 number stays', 'a 13-digit 0792030012345 number stays'],
  ])('redacts %j', (input, expected) => {
    expect(redactText(input)).toBe(expected);
  });

  it('replaces keys that name personal data whatever their value', () => {
    expect(
      redactValue({ personalId: 'x', nested: { fullName: 'Nguyễn Văn A', ok: 1 }, list: ['079203001234'] }),
    ).toEqual({
      personalId: REDACTED,
      nested: { fullName: REDACTED, ok: 1 },
      list: [REDACTED],
    });
  });

  it('never writes a personal ID to a log line, in messages, fields or errors', async () => {
    const { lines, logger } = capture();
    logger.info({ body: { soDinhDanh: '079203001234' }, note: 'id 079203001234' }, 'lookup of 079203001234');
    logger.error({ err: new Error('upstream said 079203001234 not found') }, 'failed');
    logger.warn('plain %s', '001099012345');
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines).toHaveLength(3);
    for (const line of lines) expect(line).not.toMatch(/079203001234|001099012345/);
    expect(JSON.parse(lines[0]).msg).toBe(`lookup of ${REDACTED}`);
  });
});

describe('problem details', () => {
  it('keeps the stable code and field errors of a ProblemException', () => {
    const { problem, unexpected } = toProblem(
      new ProblemException(
        422,
        'ILLEGAL_TRANSITION',
        'Illegal status transition',
        'RESOLVED cannot follow SUBMITTED',
        [{ path: '/status', code: 'ILLEGAL_TRANSITION', message: 'no' }],
      ),
    );
    expect(unexpected).toBe(false);
    expect(problem).toMatchObject({
      status: 422,
      code: 'ILLEGAL_TRANSITION',
      type: expect.stringContaining('illegal-transition'),
    });
    expect(problem.errors).toHaveLength(1);
  });

  it.each([
    [new NotFoundException('Cannot GET /x'), 404, 'NOT_FOUND'],
    [
      Object.assign(new Error('bad'), { code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE', statusCode: 415 }),
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    ],
    [
      Object.assign(new Error('too big'), { code: 'FST_ERR_CTP_BODY_TOO_LARGE', statusCode: 413 }),
      413,
      'PAYLOAD_TOO_LARGE',
    ],
    [Object.assign(new SyntaxError('Unexpected token'), { statusCode: 400 }), 400, 'MALFORMED_JSON'],
    [new HttpException('teapot', 418), 418, 'BAD_REQUEST'],
    [
      new HttpException("Body is not valid JSON but content-type is set to 'application/json'", 400),
      400,
      'MALFORMED_JSON',
    ],
  ])('maps %p to %i %s', (error, status, code) => {
    const { problem, unexpected } = toProblem(error);
    expect(problem.status).toBe(status);
    expect(problem.code).toBe(code);
    expect(unexpected).toBe(false);
  });

  it('hides everything about an unexpected error', () => {
    const { problem, unexpected } = toProblem(new TypeError('secret 079203001234 at line 3'));
    expect(unexpected).toBe(true);
    expect(problem).toMatchObject({ status: 500, code: 'INTERNAL' });
    expect(JSON.stringify(problem)).not.toContain('079203001234');
    expect(JSON.stringify(problem)).not.toContain('TypeError');
  });
});
