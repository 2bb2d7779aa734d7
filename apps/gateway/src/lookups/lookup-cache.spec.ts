import { LookupCache } from './lookup-cache';

describe('LookupCache', () => {
  let now: number;
  const clock = () => now;

  beforeEach(() => {
    now = Date.parse('2026-06-01T00:00:00Z');
  });

  it('serves an answer fresh until its validUntil, stale within the stale window, then forgets it', async () => {
    const cache = new LookupCache({ maxEntries: 10, staleMaxAgeMs: 60_000, now: clock });
    const key = cache.key('citizen.lookup', '001090012345');
    await cache.set(key, { name: 'a' }, now + 1_000);

    expect(await cache.get(key)).toEqual({ state: 'fresh', value: { name: 'a' }, validUntil: now + 1_000 });
    now += 999;
    expect((await cache.get(key))?.state).toBe('fresh');
    now += 1;
    expect((await cache.get(key))?.state).toBe('stale');
    now += 59_999;
    expect((await cache.get(key))?.state).toBe('stale');
    now += 1;
    expect(await cache.get(key)).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('keeps its own copy of an answer: the caller changing its object later does not change the cache', async () => {
    const cache = new LookupCache({ maxEntries: 10, staleMaxAgeMs: 0, now: clock });
    const key = cache.key('citizen.lookup', '001090012345');
    const answer = { fullName: 'Nguyễn Văn An', address: { provinceCode: '01' } };
    await cache.set(key, answer, now + 1_000);
    answer.fullName = 'changed';
    answer.address.provinceCode = '79';

    expect((await cache.get(key))?.value).toEqual({
      fullName: 'Nguyễn Văn An',
      address: { provinceCode: '01' },
    });
  });

  it('does not keep an answer that is already past its stale window', async () => {
    const cache = new LookupCache({ maxEntries: 10, staleMaxAgeMs: 1_000, now: clock });
    const key = cache.key('land.lookup', '26734/12/345');
    await cache.set(key, 'old', now - 5_000);
    expect(await cache.get(key)).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('drops the least recently used entry beyond maxEntries', async () => {
    const cache = new LookupCache({ maxEntries: 2, staleMaxAgeMs: 0, now: clock });
    const [a, b, c] = ['a', 'b', 'c'].map((subject) => cache.key('enterprise.lookup', subject));
    await cache.set(a, 'A', now + 10_000);
    await cache.set(b, 'B', now + 10_000);
    expect((await cache.get(a))?.value).toBe('A'); // a is now the most recently used
    await cache.set(c, 'C', now + 10_000);

    expect(await cache.get(b)).toBeUndefined();
    expect((await cache.get(a))?.value).toBe('A');
    expect((await cache.get(c))?.value).toBe('C');
    expect(cache.size).toBe(2);
  });

  it('keeps nothing when maxEntries is 0', async () => {
    const cache = new LookupCache({ maxEntries: 0, staleMaxAgeMs: 60_000, now: clock });
    const key = cache.key('citizen.lookup', 'x');
    await cache.set(key, 'value', now + 10_000);
    expect(cache.enabled).toBe(false);
    expect(await cache.get(key)).toBeUndefined();
  });

  it('replaces an entry with a newer answer', async () => {
    const cache = new LookupCache({ maxEntries: 10, staleMaxAgeMs: 60_000, now: clock });
    const key = cache.key('citizen.lookup', 'x');
    await cache.set(key, 'first', now + 1_000);
    now += 2_000;
    await cache.set(key, 'second', now + 1_000);
    expect(await cache.get(key)).toEqual({ state: 'fresh', value: 'second', validUntil: now + 1_000 });
    expect(cache.size).toBe(1);
  });

  it('keys by service and subject with a keyed hash, never the identifier in clear', async () => {
    const cache = new LookupCache({ maxEntries: 10, staleMaxAgeMs: 0, now: clock });
    const key = cache.key('citizen.lookup', '001090012345');
    expect(key).not.toContain('001090012345');
    expect(key).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(cache.key('citizen.lookup', '001090012345')).toBe(key);
    expect(cache.key('citizen.verify', '001090012345')).not.toBe(key);
    // Another process (another cache) derives other keys from the same subject.
    expect(
      new LookupCache({ maxEntries: 1, staleMaxAgeMs: 0 }).key('citizen.lookup', '001090012345'),
    ).not.toBe(key);
  });

  it('lets concurrent misses of one key share one upstream call', async () => {
    const cache = new LookupCache({ maxEntries: 10, staleMaxAgeMs: 0, now: clock });
    let calls = 0;
    let release!: (value: string) => void;
    const loader = () => {
      calls++;
      return new Promise<string>((resolve) => (release = resolve));
    };
    const key = cache.key('citizen.lookup', 'x');
    const results = Promise.all([cache.load(key, loader), cache.load(key, loader), cache.load(key, loader)]);
    const other = cache.load(cache.key('citizen.lookup', 'y'), async () => {
      calls++;
      return 'other';
    });
    release('answer');
    expect(await results).toEqual(['answer', 'answer', 'answer']);
    expect(await other).toBe('other');
    expect(calls).toBe(2);

    // Once settled, the next miss calls again.
    await cache.load(key, async () => {
      calls++;
      return 'again';
    });
    expect(calls).toBe(3);
  });

  it('shares a failure among the callers waiting for it and does not remember it', async () => {
    const cache = new LookupCache({ maxEntries: 10, staleMaxAgeMs: 0, now: clock });
    const key = cache.key('citizen.lookup', 'x');
    let calls = 0;
    const failing = async () => {
      calls++;
      await new Promise((resolve) => setTimeout(resolve, 5));
      throw new Error('upstream down');
    };
    const outcomes = await Promise.allSettled([cache.load(key, failing), cache.load(key, failing)]);
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected']);
    expect(calls).toBe(1);
    expect(await cache.get(key)).toBeUndefined();
    await expect(cache.load(key, async () => 'recovered')).resolves.toBe('recovered');
  });
});
