import { RecentIds } from './recent-ids';

describe('RecentIds', () => {
  it('knows the ids it was told, up to its capacity, forgetting the oldest first', () => {
    const recent = new RecentIds(3);
    for (const id of ['a', 'b', 'c']) recent.remember(id);
    expect(['a', 'b', 'c'].map((id) => recent.has(id))).toEqual([true, true, true]);
    recent.remember('d');
    expect(recent.has('a')).toBe(false);
    expect(['b', 'c', 'd'].every((id) => recent.has(id))).toBe(true);
    expect(recent.size).toBe(3);
  });

  it('counts an id told again as recent, so it outlives ids told once before it', () => {
    const recent = new RecentIds(2);
    recent.remember('a');
    recent.remember('b');
    recent.remember('a');
    recent.remember('c');
    expect(recent.has('a')).toBe(true);
    expect(recent.has('b')).toBe(false);
  });

  it('refuses a capacity that is not a positive whole number', () => {
    expect(() => new RecentIds(0)).toThrow(RangeError);
  });
});
