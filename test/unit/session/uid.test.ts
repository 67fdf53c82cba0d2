import { describe, expect, it } from 'vitest';
import { makeUid } from '../../../src/session/uid.js';

describe('makeUid', () => {
  it("has Zeek's shape and is deterministic", () => {
    const a = makeUid('seed', '4/1/2/3/4/-1/-1', 1768471200000000, 1);
    expect(a).toMatch(/^C[0-9A-Za-z]{17}$/);
    expect(makeUid('seed', '4/1/2/3/4/-1/-1', 1768471200000000, 1)).toBe(a);
  });
  it('differs when any input differs, and does not collide over many sessions', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 200_000; i++) seen.add(makeUid('seed', `4/${i}/40000/167772170/16992/-1/-1`, 1768471200000000 + i, i));
    expect(seen.size).toBe(200_000);
    const base = makeUid('s', 'k', 1, 1);
    expect(new Set([base, makeUid('t', 'k', 1, 1), makeUid('s', 'l', 1, 1), makeUid('s', 'k', 2, 1), makeUid('s', 'k', 1, 2)]).size).toBe(5);
  });
});
