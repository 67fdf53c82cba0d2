/**
 * Fuzz targets for the HTTP / WS-Management analyzer: the request-side parsers, the response-side
 * parsers, and the whole analyzer over a two-direction conversation. Seeds are the fixture
 * conversations of test/unit/analyzers/http (AMT 401, digest logins, the CVE-2017-5689 tools,
 * WS-Man SOAP, pipelining, a WebSocket upgrade carrying AMT redirection frames).
 */
import { createHttpAnalyzer } from '../../../src/analyzers/http/analyzer.js';
import {
  AuthInfo,
  ChunkState,
  CH_DATA,
  CH_DATA_CR,
  CH_DONE,
  HeadInfo,
  HeadScan,
  KIND_REQUEST,
  KIND_RESPONSE,
  Span,
  StartLine,
  WsFrame,
  WsmanScan,
  decodeBasicUser,
  isHex32,
  looksLikeMessageStart,
  parseAmtFirmware,
  parseAuthorization,
  parseChunkFraming,
  parseHeaders,
  parseWsFrameHeader,
  scanHead,
  scanWsman,
} from '../../../src/analyzers/http/parser.js';
import type { Analyzer, AnalyzerHost } from '../../../src/analyzers/types.js';
import type { Direction } from '../../../src/core/flow.js';
import { DEFAULT_LIMITS } from '../../../src/core/limits.js';
import { emptyConnFacts } from '../../../src/records/index.js';
import { CONVERSATIONS, concat, type Step } from '../../unit/analyzers/http/fixtures.js';
import type { FuzzTarget } from '../types.js';

const HEAD_LIMIT = 16 * 1024;

function dirBytes(steps: Step[], dir: 0 | 1): Uint8Array {
  return concat(...steps.flatMap((s) => ('data' in s && s.dir === dir ? [s.data] : [])));
}

const requestSeeds = Object.values(CONVERSATIONS).map((c) => dirBytes(c, 0));
const responseSeeds = Object.values(CONVERSATIONS).map((c) => dirBytes(c, 1));

/** Analyzer input: [split u16 BE][chunk size byte][orig bytes | resp bytes], split = orig length. */
function conversationSeed(steps: Step[]): Uint8Array {
  const o = dirBytes(steps, 0);
  const r = dirBytes(steps, 1);
  return concat(Uint8Array.of((o.length >> 8) & 0xff, o.length & 0xff, 0), o, r);
}

function parseHeads(input: Uint8Array, kind: 0 | 1): void {
  const st = new HeadScan();
  const line = new StartLine();
  const info = new HeadInfo();
  const auth = new AuthInfo();
  let off = 0;
  // Every message start the head scanner accepts, as the analyzer would walk a keep-alive stream.
  for (let guard = 0; off < input.length && guard < 64; guard++) {
    if (!looksLikeMessageStart(kind, input, off, input.length)) {
      const lf = input.indexOf(10, off);
      if (lf < 0) return;
      off = lf + 1;
      continue;
    }
    st.reset();
    const r = scanHead(input, off, input.length, kind, HEAD_LIMIT, st, line);
    const headEnd = r > 0 ? off + r : off + Math.max(st.lineStart, 0);
    info.reset();
    if (st.firstEol >= 0) parseHeaders(input, off + st.firstEol + 1, headEnd, 100, info);
    if (kind === KIND_REQUEST && info.authorization.s >= 0) {
      parseAuthorization(input, info.authorization.s, info.authorization.e, auth, true);
      const rs = auth.ps[7] as number;
      if (rs >= 0) isHex32(input, rs, auth.pe[7] as number);
      if (auth.tokenS >= 0) decodeBasicUser(input, auth.tokenS, auth.tokenE, new Uint8Array(64));
    }
    if (kind === KIND_RESPONSE) {
      if (info.server.s >= 0) parseAmtFirmware(input, info.server.s, info.server.e, new Span());
      if (info.wwwDigest.s >= 0) parseAuthorization(input, info.wwwDigest.s, info.wwwDigest.e, auth);
    }
    if (r <= 0) return;
    off += r;
    // Treat what follows as a chunked body, then as SOAP, then as WebSocket frames.
    const ch = new ChunkState();
    let p = off;
    for (let n = 0; p < input.length && n < 10_000; n++) {
      if (ch.phase === CH_DATA) {
        const k = Math.min(ch.remaining, input.length - p);
        p += k;
        ch.remaining -= k;
        if (ch.remaining === 0) ch.phase = CH_DATA_CR;
        continue;
      }
      const q = parseChunkFraming(input, p, input.length, ch, HEAD_LIMIT);
      if (q < 0 || ch.phase === CH_DONE) break;
      p = q;
    }
    const w = new WsmanScan();
    w.reset();
    scanWsman(input, off, Math.min(input.length, off + 64 * 1024), w);
    const f = new WsFrame();
    for (let q = off, n = 0; q < input.length && n < 1000; n++) {
      const hl = parseWsFrameHeader(input, q, input.length, f);
      if (hl <= 0) break;
      q += hl + Math.min(f.len, input.length);
    }
  }
}

class SinkInner implements Analyzer {
  bytes = 0;
  data(_dir: Direction, buf: Uint8Array, off: number, end: number): void {
    for (let i = off; i < end; i++) this.bytes += buf[i] as number;
  }
  gap(): void {}
  end(): void {}
}

function runAnalyzer(input: Uint8Array): void {
  if (input.length < 3) return;
  const body = input.subarray(3);
  const split = (((input[0] as number) << 8) | (input[1] as number)) % (body.length + 1);
  const chunk = 1 + (input[2] as number);
  const host: AnalyzerHost = {
    session: { uid: 'CFuzz', startTs: 0, origH: new Uint8Array(4), origP: 50001, respH: new Uint8Array(4), respP: 16992, vlan: null },
    limits: { ...DEFAULT_LIMITS, maxHttpHeaderBytes: 4096, maxHttpTransactions: 64 },
    options: { extract: false },
    facts: emptyConnFacts(),
    emit(r) {
      if (r.event_type === 'http' && (r.uri?.length ?? 0) > 1024) throw new Error('field over maxFieldChars');
    },
    anomaly() {},
  };
  const a = createHttpAnalyzer(host, { onUpgrade: () => new SinkInner() });
  const o = body.subarray(0, split);
  const r = body.subarray(split);
  // Interleave the two directions chunk by chunk, as a capture would.
  let io = 0;
  let ir = 0;
  let ts = 1;
  while (io < o.length || ir < r.length) {
    if (io < o.length) {
      const n = Math.min(chunk, o.length - io);
      a.data(0, o, io, io + n, ts++);
      io += n;
    }
    if (ir < r.length && (io >= o.length || (ts & 3) === 0)) {
      const n = Math.min(chunk, r.length - ir);
      a.data(1, r, ir, ir + n, ts++);
      ir += n;
    }
    if ((chunk & 0x1f) === 0x1f && (ts & 7) === 0) a.gap((ts & 8) === 0 ? 0 : 1, chunk, ts++);
  }
  a.end(ts);
}

export const targets: FuzzTarget[] = [
  {
    name: 'http.request_head',
    seeds: requestSeeds,
    run: (input) => parseHeads(input, KIND_REQUEST),
  },
  {
    name: 'http.response_head',
    seeds: responseSeeds,
    run: (input) => parseHeads(input, KIND_RESPONSE),
  },
  {
    name: 'http.analyzer',
    seeds: Object.values(CONVERSATIONS).map(conversationSeed),
    run: runAnalyzer,
  },
];
