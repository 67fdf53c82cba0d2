import { describe, expect, it } from 'vitest';
import type { Direction, StreamConsumer } from '../../../src/core/flow.js';
import { STREAM_BYTE_LIMIT, STREAM_OK, STREAM_OOO_LIMIT, StreamReassembler } from '../../../src/session/stream.js';

class Rec implements StreamConsumer {
  out = '';
  events: string[] = [];
  data(_d: Direction, b: Uint8Array, off: number, end: number): void {
    const s = Buffer.from(b.subarray(off, end)).toString('latin1');
    this.out += s;
    this.events.push(`d:${s}`);
  }
  gap(_d: Direction, len: number): void {
    this.out += `<${len}>`;
    this.events.push(`g:${len}`);
  }
  end(): void {
    this.events.push('end');
  }
}

const b = (s: string) => Buffer.from(s, 'latin1');
const mk = (maxBytes = 1 << 20, oooBytes = 1024, oooSegs = 8) => new StreamReassembler(0, maxBytes, oooBytes, oooSegs);

describe('StreamReassembler', () => {
  it('delivers in order without copying and trims retransmissions', () => {
    const r = mk();
    const c = new Rec();
    const x = b('hello');
    r.segment(1, x, 0, 5, 5, 0, c);
    r.segment(1, b('hello'), 0, 5, 5, 0, c); // full retransmission
    r.segment(4, b('loworld'), 0, 7, 7, 0, c); // overlap
    expect(c.out).toBe('helloworld');
    expect(r.next).toBe(11);
  });

  it('over the out-of-order bound, a segment inside what was held delivers only its new part (the held copy wins)', () => {
    const r = mk(1 << 20, 1024, 2);
    const c = new Rec();
    r.segment(2, b('bc'), 0, 2, 2, 0, c); // a hole at 1
    r.segment(4, b('de'), 0, 2, 2, 0, c);
    // the third held segment is over the bound: the hole is given up; this one lies inside what was
    // held (a duplicate for the receiver) and must not be delivered again over it
    expect(r.segment(2, b('XYZW'), 0, 4, 4, 0, c)).toBe(STREAM_OOO_LIMIT);
    r.segment(6, b('fg'), 0, 2, 2, 0, c);
    expect(c.out).toBe('<1>bcdefg');
    // partly new: only the new tail goes on
    r.segment(7, b('GHI'), 0, 3, 3, 0, c);
    expect(c.out).toBe('<1>bcdefgHI');
  });

  it('holds out-of-order data until the hole fills', () => {
    const r = mk();
    const c = new Rec();
    r.segment(6, b('world'), 0, 5, 5, 0, c);
    r.segment(11, b('!'), 0, 1, 1, 0, c);
    expect(c.out).toBe('');
    r.segment(1, b('hello'), 0, 5, 5, 0, c);
    expect(c.out).toBe('helloworld!');
  });

  it('acknowledged bytes never seen become a gap, then held data flows', () => {
    const r = mk();
    const c = new Rec();
    r.segment(1, b('abc'), 0, 3, 3, 0, c);
    r.segment(10, b('XYZ'), 0, 3, 3, 0, c);
    r.acked(13, 0, c);
    expect(c.events).toEqual(['d:abc', 'g:6', 'd:XYZ']);
    r.acked(20, 0, c);
    expect(c.events.at(-1)).toBe('g:7');
    expect(r.gapBytes).toBe(13);
  });

  it('a snapped segment delivers its captured bytes and a gap for the rest', () => {
    const r = mk();
    const c = new Rec();
    r.segment(1, b('abcdef'), 0, 4, 10, 0, c);
    r.segment(11, b('k'), 0, 1, 1, 0, c);
    expect(c.events).toEqual(['d:abcd', 'g:6', 'd:k']);
  });

  it('gives up the oldest hole when the out-of-order bound is reached', () => {
    const r = mk(1 << 20, 4, 8);
    const c = new Rec();
    expect(r.segment(5, b('EF'), 0, 2, 2, 0, c)).toBe(STREAM_OK);
    expect(r.segment(9, b('IJK'), 0, 3, 3, 0, c)).toBe(STREAM_OOO_LIMIT);
    expect(c.events).toEqual(['g:4', 'd:EF', 'g:2', 'd:IJK']);
  });

  it('stops at the byte limit', () => {
    const r = mk(6);
    const c = new Rec();
    expect(r.segment(1, b('abcd'), 0, 4, 4, 0, c)).toBe(STREAM_OK);
    expect(r.segment(5, b('efgh'), 0, 4, 4, 0, c)).toBe(STREAM_BYTE_LIMIT);
    expect(r.segment(9, b('ijkl'), 0, 4, 4, 0, c)).toBe(STREAM_OK);
    expect(c.out).toBe('abcdef');
    expect(r.stopped).toBe(true);
  });

  it('finish delivers held data with gaps before it', () => {
    const r = mk();
    const c = new Rec();
    r.segment(1, b('a'), 0, 1, 1, 0, c);
    r.segment(5, b('e'), 0, 1, 1, 0, c);
    r.finish(0, c);
    expect(c.events).toEqual(['d:a', 'g:3', 'd:e']);
  });
});

describe('StreamReassembler and FIN', () => {
  it('an acknowledgement of the FIN is not a gap', () => {
    const r = mk();
    const c = new Rec();
    r.segment(1, b('abc'), 0, 3, 3, 0, c);
    r.finPos = 4;
    r.acked(5, 0, c);
    expect(c.events).toEqual(['d:abc']);
  });
});

describe('StreamReassembler copies what it holds', () => {
  it('held out-of-order data survives the reuse of the packet buffer', () => {
    const r = mk();
    const c = new Rec();
    const shared = Buffer.from('world');
    r.segment(6, shared, 0, 5, 5, 0, c);
    shared.fill(0x78); // the capture reuses its buffer for the next packet
    r.segment(1, b('hello'), 0, 5, 5, 0, c);
    expect(c.out).toBe('helloworld');
  });
});
