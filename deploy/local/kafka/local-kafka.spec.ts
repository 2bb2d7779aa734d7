import { newClusterId } from './local-kafka';

describe('newClusterId', () => {
  it('gives 22-character base64url ids that never start with "-" (the storage tool would take it for an option)', () => {
    // one random id in 64 starts with '-': 10,000 draws meet such ids unless they are avoided
    const ids = Array.from({ length: 10_000 }, () => newClusterId());
    expect(ids.filter((id) => id.startsWith('-'))).toEqual([]);
    expect(ids.every((id) => /^[A-Za-z0-9_-]{22}$/.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
