/**
 * Fuzz targets for the AMT redirection-protocol analyzer: the message framer (and resync probe),
 * the auth payload parsers, and the whole analyzer fed an input split into two directions.
 * Seeds are the real conversations of test/unit/analyzers/amt-redir/fixtures.ts (amtterm 1.4/1.8
 * recordings, MeshCommander issue #24 transcripts, SOL/IDE-R/KVM sessions).
 */
import { createRedirAnalyzer } from '../../../src/analyzers/amt-redir/analyzer.js';
import { KIND_IDER, KIND_KVM, KIND_SOL, KIND_UNKNOWN, type SessionKind } from '../../../src/analyzers/amt-redir/constants.js';
import {
  FRAME_OK,
  frameRedirMessage,
  newRedirFrame,
  parseAuthChallenge,
  parseAuthRequest,
  parseAuthTypeList,
  parseRfbVersion,
  parseStartReply,
  formatSolParams,
  probeRedirMessage,
} from '../../../src/analyzers/amt-redir/parser.js';
import type { AnalyzerHost } from '../../../src/analyzers/types.js';
import { DEFAULT_LIMITS } from '../../../src/core/limits.js';
import { emptyConnFacts } from '../../../src/records/index.js';
import { ALL_CONVERSATIONS, type Conversation, directionBytes } from '../../unit/analyzers/amt-redir/fixtures.js';
import type { FuzzTarget } from '../types.js';

const KINDS: SessionKind[] = [KIND_UNKNOWN, KIND_SOL, KIND_IDER, KIND_KVM];

/**
 * Analyzer input format: records of [ctl][len lo][len hi][len bytes]; ctl bit 0 = direction,
 * bit 7 = a gap of `len` bytes (no data follows). A short tail is delivered as data of direction 0.
 */
export function encodeSteps(c: Conversation, gaps: [number, number, number][] = []): Uint8Array {
  const parts: number[] = [];
  c.events.forEach(([dir, b], i) => {
    for (const [at, d, n] of gaps) if (at === i) parts.push(0x80 | d, n & 0xff, (n >> 8) & 0xff);
    for (let o = 0; o < b.length; o += 0xffff) {
      const chunk = b.subarray(o, Math.min(b.length, o + 0xffff));
      parts.push(dir, chunk.length & 0xff, chunk.length >> 8, ...chunk);
    }
  });
  return Uint8Array.from(parts);
}

function framerSeeds(): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const c of ALL_CONVERSATIONS) {
    // [dir][kind] + one direction's bytes
    const kind = c.name.includes('KVM') ? KIND_KVM : c.name.includes('IDE-R') ? KIND_IDER : KIND_SOL;
    for (const d of [0, 1] as const) out.push(Uint8Array.from([d, kind, ...directionBytes(c, d)]));
  }
  return out;
}

function authSeeds(): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const c of ALL_CONVERSATIONS) {
    for (const [, m] of c.events) {
      // [auth type or 0x80|type for a reply] + payload (the bytes after the 9-byte header)
      if (m[0] === 0x13 && m.length >= 9) out.push(Uint8Array.from([m[4] as number, ...m.subarray(9)]));
      if (m[0] === 0x14 && m.length >= 9) out.push(Uint8Array.from([0x80 | (m[4] as number), ...m.subarray(9)]));
    }
  }
  return out;
}

function fuzzHost(): { host: AnalyzerHost; count: () => number } {
  let n = 0;
  const host: AnalyzerHost = {
    session: { uid: 'CFUZZ', startTs: 0, origH: new Uint8Array(4), origP: 1, respH: new Uint8Array(4), respP: 16994, vlan: null },
    // small limits so the fuzzer reaches the cut paths
    limits: { ...DEFAULT_LIMITS, maxRedirMessageBytes: 512, maxSolTranscriptBytes: 256, maxFieldChars: 48 },
    options: { extract: true },
    facts: emptyConnFacts(),
    emit: () => void n++,
    anomaly: () => undefined,
  };
  return { host, count: () => n };
}

export const targets: FuzzTarget[] = [
  {
    name: 'amt_redir.frame',
    seeds: framerSeeds(),
    run(input: Uint8Array): void {
      if (input.length < 2) return;
      const dir = (input[0] as number) & 1;
      const kind = KINDS[(input[1] as number) & 3] ?? KIND_UNKNOWN;
      const ctx = { kind, maxMessageBytes: 4096 };
      const f = newRedirFrame();
      let off = 2;
      const end = input.length;
      for (let guard = 0; off < end && guard < end; guard++) {
        const r = frameRedirMessage(input, off, end, dir, ctx, f);
        probeRedirMessage(input, off, end, dir, ctx, f);
        if (r === FRAME_OK) {
          if (f.len < f.hdrLen || f.hdrLen < 1) throw new Error(`bad frame ${f.type}: len ${f.len} hdr ${f.hdrLen}`);
          if (f.hdrLen > ctx.maxMessageBytes) throw new Error('header over the limit');
          parseStartReply(input, off, Math.min(end, off + f.hdrLen));
          formatSolParams(input, off, Math.min(end, off + f.hdrLen));
          off += f.len;
        } else off += 1;
      }
      parseRfbVersion(input, 2, end);
    },
  },
  {
    name: 'amt_redir.auth',
    seeds: authSeeds(),
    run(input: Uint8Array): void {
      if (input.length < 1) return;
      const t = input[0] as number;
      const end = input.length;
      if (t & 0x80) {
        const c = parseAuthChallenge(input, 1, end, 32);
        for (const s of [c.realm, c.nonce, c.qop]) if (s !== null && s.length > 32) throw new Error('string over maxChars');
        parseAuthTypeList(input, 1, end);
      } else {
        const r = parseAuthRequest(t & 7, input, 1, end, 32);
        for (const s of [r.user, r.realm, r.nonce, r.uri, r.cnonce, r.nc, r.qop]) {
          if (s !== null && s.length > 32) throw new Error('string over maxChars');
        }
        if (r.passwordLen > 255 || (r.responseLen ?? 0) > 255) throw new Error('length over a byte');
      }
    },
  },
  {
    name: 'amt_redir.analyzer',
    seeds: ALL_CONVERSATIONS.map((c) => encodeSteps(c)),
    run(input: Uint8Array): void {
      const { host, count } = fuzzHost();
      const a = createRedirAnalyzer(host);
      let p = 0;
      let ts = 0;
      while (p < input.length) {
        const ctl = input[p] as number;
        if (input.length - p < 3) {
          a.data(0, input, p, input.length, ts);
          break;
        }
        const len = (input[p + 1] as number) | ((input[p + 2] as number) << 8);
        p += 3;
        ts += 10;
        const dir = (ctl & 1) as 0 | 1;
        if (ctl & 0x80) {
          a.gap(dir, len, ts);
          continue;
        }
        const e = Math.min(input.length, p + len);
        a.data(dir, input, p, e, ts);
        p = e;
      }
      a.end(ts);
      if (count() !== 1) throw new Error(`expected one record, got ${count()}`);
    },
  },
];
