import { agencyInScope, agencyMatches } from './agency-scope';

describe('agency patterns', () => {
  it.each([
    ['000.17.22.H56', '000.17.22.H56', true],
    ['000.17.22.H56', '000.17.23.H56', false],
    ['000.*.*.H56', '000.17.22.H56', true],
    ['000.*.*.H56', '000.00.14.H56', true],
    ['000.*.*.H56', '000.17.22.H29', false],
    ['000.*.*.H56', '001.17.22.H56', false],
    // strict: a `*` group stands for exactly one group, and a pattern is never a prefix
    ['000.*.*.H56', '000.17.H56', false],
    ['000.*.*.H56', '000.17.22.H56.01', false],
    ['000.17', '000.17.22.H56', false],
    ['000.17.22.*', '000.17.22.', false],
    ['*', '000.17.22.H56', true],
    ['*', 'H56', true],
  ])('%s matches %s: %s', (pattern, code, expected) => {
    expect(agencyMatches(pattern, code)).toBe(expected);
  });

  it('names no agency with an empty list and any listed one otherwise', () => {
    expect(agencyInScope([], '000.17.22.H56')).toBe(false);
    expect(agencyInScope(['000.00.14.H56', '000.17.*.H56'], '000.17.22.H56')).toBe(true);
    expect(agencyInScope(['000.00.14.H56', '000.17.*.H56'], '000.18.22.H56')).toBe(false);
  });
});
