import { describe, expect, it } from 'vitest';
import { CommonTokens } from '../../src/server/features/persons/search/index.js';

describe('the cache of common tokens', () => {
  it('forgets a token after its time to live, and holds at most its bound', () => {
    let now = 1_000;
    const cache = new CommonTokens(3, 100, () => now);
    cache.add('a');
    expect(cache.has('a')).toBe(true);
    now += 101;
    expect(cache.has('a')).toBe(false);
    for (const k of ['b', 'c', 'd', 'e']) cache.add(k);
    expect(cache.size).toBe(3);
    expect(cache.has('b')).toBe(false);
    expect(cache.has('e')).toBe(true);
  });
});
