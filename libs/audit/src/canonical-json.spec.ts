import { canonicalJson } from './canonical-json';

describe('canonicalJson (RFC 8785 for audit records)', () => {
  it('sorts members by name at every level and writes no whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: true, y: null }], c: 'x' } })).toBe(
      '{"a":{"c":"x","d":[3,{"y":null,"z":true}]},"b":1}',
    );
  });

  it('sorts by UTF-16 code units, as RFC 8785 requires', () => {
    expect(canonicalJson({ é: 1, z: 2, Z: 3, _: 4, '1': 5 })).toBe('{"1":5,"Z":3,"_":4,"z":2,"é":1}');
  });

  it('escapes strings as JSON.stringify does and keeps other characters literal', () => {
    expect(canonicalJson({ s: 'Nghị định 13/2023/NĐ-CP "Điều 17"\n\t\u0001/' })).toBe(
      '{"s":"Nghị định 13/2023/NĐ-CP \\"Điều 17\\"\\n\\t\\u0001/"}',
    );
  });

  it('leaves out members whose value is undefined but keeps empty arrays', () => {
    expect(canonicalJson({ a: undefined, b: [], c: 'x' })).toBe('{"b":[],"c":"x"}');
  });

  it('writes safe integers and refuses numbers whose form could differ between implementations', () => {
    expect(canonicalJson([0, -0, 42, -7, Number.MAX_SAFE_INTEGER])).toBe('[0,0,42,-7,9007199254740991]');
    for (const value of [1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 60]) {
      expect(() => canonicalJson({ value })).toThrow(/safe integers/);
    }
  });

  it('refuses values JSON has no single form for', () => {
    expect(() => canonicalJson({ when: new Date(0) })).toThrow(/plain objects/);
    expect(() => canonicalJson({ big: 1n })).toThrow(/bigint/);
    expect(() => canonicalJson({ f: () => 1 })).toThrow(/function/);
  });

  it('matches a sorted JSON.stringify for a flat record of strings, integers and string arrays', () => {
    const record = { seq: '12', id: 'x', fieldsReturned: ['b', 'a'], upstreamLatencyMs: 5, purpose: 'P' };
    expect(canonicalJson(record)).toBe(JSON.stringify(record, Object.keys(record).sort()));
  });
});
