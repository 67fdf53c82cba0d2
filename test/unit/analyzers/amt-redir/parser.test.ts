import { describe, expect, it } from 'vitest';
import {
  A_REDIR_AUTH_STRING_OVERFLOW,
  A_REDIR_AUTH_TRAILING_BYTES,
  A_REDIR_MESSAGE_TOO_LONG,
  A_REDIR_UNKNOWN_TYPE,
  A_REDIR_WRONG_DIRECTION,
  KIND_IDER,
  KIND_KVM,
  KIND_SOL,
  KIND_UNKNOWN,
  type SessionKind,
} from '../../../../src/analyzers/amt-redir/constants.js';
import {
  FRAME_NEED_MORE,
  FRAME_OK,
  formatRfbVersion,
  formatSolParams,
  frameRedirMessage,
  newRedirFrame,
  parseAuthChallenge,
  parseAuthRequest,
  parseAuthTypeList,
  parseRfbVersion,
  parseStartReply,
  PLAUSIBLE_MAYBE,
  PLAUSIBLE_NO,
  PLAUSIBLE_YES,
  probeRedirMessage,
  sessionKindOfTag,
} from '../../../../src/analyzers/amt-redir/parser.js';
import {
  AMTTERM14_USERPASS_OK,
  AMTTERM18_DIGEST_OK,
  AMTTERM18_OK_CNONCE,
  ascii,
  authReply,
  authReq,
  cat,
  hex,
  lp,
  MESHCOMMANDER_IDER,
  STANDIN_NONCE,
  STANDIN_REALM,
} from './fixtures.js';

const MAX = 64 * 1024;

function frame(bytes: Uint8Array, dir: 0 | 1, kind: SessionKind = KIND_UNKNOWN, max = MAX) {
  const out = newRedirFrame();
  const r = frameRedirMessage(bytes, 0, bytes.length, dir, { kind, maxMessageBytes: max }, out);
  return { r, ...out };
}

function zeros(type: number, n: number, patch: Record<number, number> = {}): Uint8Array {
  const b = new Uint8Array(n);
  b[0] = type;
  for (const [k, v] of Object.entries(patch)) b[Number(k)] = v;
  return b;
}

describe('frameRedirMessage: per-type lengths', () => {
  const fixed: [number, 0 | 1, SessionKind, number][] = [
    [0x10, 0, KIND_UNKNOWN, 8],
    [0x12, 0, KIND_SOL, 4],
    [0x20, 0, KIND_SOL, 24],
    [0x21, 1, KIND_SOL, 23],
    [0x22, 0, KIND_SOL, 8],
    [0x23, 1, KIND_SOL, 8],
    [0x24, 1, KIND_SOL, 8],
    [0x24, 0, KIND_SOL, 8], // amtterm echoes the AMT's ping
    [0x25, 1, KIND_SOL, 8],
    [0x27, 0, KIND_SOL, 14],
    [0x29, 1, KIND_SOL, 10],
    [0x2b, 0, KIND_SOL, 8],
    [0x2b, 1, KIND_SOL, 8],
    [0x40, 0, KIND_KVM, 8],
    [0x41, 1, KIND_KVM, 8],
    [0x40, 0, KIND_IDER, 18],
    [0x42, 0, KIND_IDER, 8],
    [0x43, 1, KIND_IDER, 8],
    [0x44, 1, KIND_IDER, 8],
    [0x45, 0, KIND_IDER, 8],
    [0x46, 1, KIND_IDER, 9],
    [0x47, 0, KIND_IDER, 8],
    [0x48, 0, KIND_IDER, 13],
    [0x49, 1, KIND_IDER, 13],
    [0x4a, 1, KIND_IDER, 11],
    [0x4b, 1, KIND_IDER, 8],
    [0x50, 1, KIND_IDER, 28],
    [0x51, 0, KIND_IDER, 31],
    [0x52, 0, KIND_IDER, 31],
  ];
  it.each(fixed)('type 0x%s dir %s kind %s is %s bytes', (type, dir, kind, len) => {
    const f = frame(zeros(type, 64), dir, kind);
    expect(f.r).toBe(FRAME_OK);
    expect(f.len).toBe(len);
    expect(f.hdrLen).toBe(len);
  });

  it('0x11 is 13 + N (N at byte 12)', () => {
    expect(frame(hex('11 00 00 00 01 00 0b 08 57 01 00 00 00'), 1)).toMatchObject({ r: FRAME_OK, len: 13 });
    expect(frame(cat(hex('11 00 00 00 01 00 0b 08 57 01 00 00 05'), new Uint8Array(5)), 1)).toMatchObject({ r: FRAME_OK, len: 18 });
    expect(frame(hex('11 00 00 00 01 00 0b 08'), 1)).toMatchObject({ r: FRAME_NEED_MORE, need: 13 });
  });

  it('0x13/0x14 are 9 + L (uint32 LE at 5..8)', () => {
    expect(frame(hex('13 00 00 00 00 00 00 00 00'), 0)).toMatchObject({ r: FRAME_OK, len: 9 });
    expect(frame(hex('14 00 00 00 00 01 00 00 00 04'), 1)).toMatchObject({ r: FRAME_OK, len: 10 });
    expect(frame(hex('13 00 00 00 04 b3 00'), 0)).toMatchObject({ r: FRAME_NEED_MORE, need: 9 });
    expect(frame(hex('13 00 00 00 04 b3 00 00 00'), 0)).toMatchObject({ r: FRAME_OK, len: 9 + 0xb3, hdrLen: 9 + 0xb3 });
  });

  it('rejects L = 0xffffffff and any length over maxRedirMessageBytes', () => {
    expect(frame(hex('13 00 00 00 04 ff ff ff ff'), 0).r).toBe(-A_REDIR_MESSAGE_TOO_LONG);
    expect(frame(hex('14 01 00 00 04 f8 ff 00 00'), 1, KIND_UNKNOWN, 65536).r).toBe(-A_REDIR_MESSAGE_TOO_LONG);
    expect(frame(hex('14 01 00 00 04 f7 ff 00 00'), 1, KIND_UNKNOWN, 65536)).toMatchObject({ r: FRAME_OK, len: 65536 });
    expect(frame(zeros(0x20, 24), 0, KIND_SOL, 16).r).toBe(-A_REDIR_MESSAGE_TOO_LONG);
  });

  it('data messages are framed by their header; the payload is counted', () => {
    expect(frame(hex('28 00 00 00 00 00 00 00 03 00 6c'), 0)).toMatchObject({ r: FRAME_OK, type: 0x28, len: 13, hdrLen: 10, kind: KIND_SOL });
    expect(frame(hex('2a 00 00 00 00 00 00 00 ff ff'), 1)).toMatchObject({ r: FRAME_OK, len: 10 + 0xffff, hdrLen: 10 });
    expect(frame(hex('2a 00 00 00 00 00 00 00 ff'), 1)).toMatchObject({ r: FRAME_NEED_MORE, need: 10 });
    // IDE-R 0x54: 34-byte header, transfer bytes at 9..10 (MeshCommander / amtterm)
    const d54 = MESHCOMMANDER_IDER.events.find((e) => e[1][0] === 0x54)?.[1] as Uint8Array;
    expect(frame(d54, 0, KIND_IDER)).toMatchObject({ r: FRAME_OK, len: 34 + 2048, hdrLen: 34 });
    expect(frame(d54.subarray(0, 20), 0, KIND_IDER)).toMatchObject({ r: FRAME_NEED_MORE, need: 34 });
    // 0x53: 14-byte header, length at 9..10
    expect(frame(zeros(0x53, 14, { 9: 0x00, 10: 0x02 }), 1, KIND_IDER)).toMatchObject({ r: FRAME_OK, len: 14 + 512, hdrLen: 14 });
  });

  it('0x41 of IDE-R is 30 + N (N at byte 29)', () => {
    expect(frame(zeros(0x41, 30, { 29: 4 }), 1, KIND_IDER)).toMatchObject({ r: FRAME_OK, len: 34 });
    expect(frame(zeros(0x41, 20), 1, KIND_IDER)).toMatchObject({ r: FRAME_NEED_MORE, need: 30 });
  });

  it('without a 0x10, 0x40/0x41 followed by "RFB " are KVM, otherwise IDE-R', () => {
    const kvm = hex('41:00:00:00:00:00:00:00:52:46:42:20:30:30:33:2e:30:30:38:0a');
    expect(frame(kvm, 1)).toMatchObject({ r: FRAME_OK, len: 8, kind: KIND_KVM });
    expect(frame(kvm.subarray(0, 8), 1)).toMatchObject({ r: FRAME_NEED_MORE, need: 12 });
    expect(frame(zeros(0x41, 30), 1)).toMatchObject({ r: FRAME_OK, len: 30, kind: KIND_IDER });
  });

  it('amtterm IDE-R open (timeouts packed at bytes 1..6) is still 18 bytes', () => {
    const amtterm40 = hex('40 64 00 10 27 88 13 01 00 00 00 00 00 00 00 00 00 00');
    expect(frame(amtterm40, 0, KIND_IDER)).toMatchObject({ r: FRAME_OK, len: 18 });
  });

  it('unknown types, types foreign to the session kind, and wrong directions fail', () => {
    for (const t of [0x00, 0x0f, 0x15, 0x26, 0x2c, 0x3f, 0x4c, 0x55, 0xf0, 0xff]) {
      expect(frame(zeros(t, 40), 0).r).toBe(-A_REDIR_UNKNOWN_TYPE);
    }
    expect(frame(zeros(0x28, 10), 0, KIND_IDER).r).toBe(-A_REDIR_UNKNOWN_TYPE);
    expect(frame(zeros(0x50, 28), 1, KIND_SOL).r).toBe(-A_REDIR_UNKNOWN_TYPE);
    expect(frame(zeros(0x50, 28), 1, KIND_KVM).r).toBe(-A_REDIR_UNKNOWN_TYPE);
    expect(frame(zeros(0x10, 8), 1).r).toBe(-A_REDIR_WRONG_DIRECTION);
    expect(frame(zeros(0x14, 9), 0).r).toBe(-A_REDIR_WRONG_DIRECTION);
    expect(frame(zeros(0x2a, 10), 0, KIND_SOL).r).toBe(-A_REDIR_WRONG_DIRECTION);
    expect(frame(zeros(0x28, 10), 1, KIND_SOL).r).toBe(-A_REDIR_WRONG_DIRECTION);
  });

  it('needs one byte to start and respects end (not buf.length)', () => {
    expect(frame(new Uint8Array(0), 0)).toMatchObject({ r: FRAME_NEED_MORE, need: 1 });
    const b = hex('13 00 00 00 00 00 00 00 00');
    const out = newRedirFrame();
    expect(frameRedirMessage(b, 0, 5, 0, { kind: KIND_UNKNOWN, maxMessageBytes: MAX }, out)).toBe(FRAME_NEED_MORE);
    expect(frameRedirMessage(b, 0, 999, 0, { kind: KIND_UNKNOWN, maxMessageBytes: MAX }, out)).toBe(FRAME_OK);
  });

  it('frames every message of the real amtterm conversation', () => {
    for (const [dir, bytes] of AMTTERM18_DIGEST_OK.events) {
      const f = frame(bytes, dir, KIND_SOL);
      expect(f.r).toBe(FRAME_OK);
      expect(f.len).toBe(bytes.length);
    }
  });
});

describe('probeRedirMessage (resync)', () => {
  const ctx = { kind: KIND_SOL as SessionKind, maxMessageBytes: MAX };
  const probe = (b: Uint8Array, dir: 0 | 1, final = true, lookahead = true) =>
    probeRedirMessage(b, 0, b.length, dir, ctx, newRedirFrame(), final, lookahead);
  it('accepts real message starts once the byte after them (or the end of the stream) is seen', () => {
    const ev = AMTTERM14_USERPASS_OK.events;
    for (const [dir, bytes] of ev) {
      expect(probe(bytes, dir)).toBe(PLAUSIBLE_YES);
      expect(probe(bytes, dir, false, false)).toBe(PLAUSIBLE_YES);
      const out = newRedirFrame();
      const v = probeRedirMessage(bytes, 0, bytes.length, dir, ctx, out);
      if (out.len === bytes.length) {
        expect(v).toBe(PLAUSIBLE_MAYBE);
        expect(out.need).toBe(bytes.length + 1);
      } else expect(v).toBe(PLAUSIBLE_YES); // "28 .. 1d 12 00 00 00": the next message is right there
    }
  });
  it('rejects a known type with nonzero padding, and text that starts with a type byte', () => {
    expect(probe(hex('28 01 00 00 00 00 00 00 03 00 6c 73 0d'), 0)).toBe(PLAUSIBLE_NO);
    expect(probe(ascii('(foo) bar baz'), 0)).toBe(PLAUSIBLE_NO);
    expect(probe(hex('13 00 00 00 09 00 00 00 00'), 0)).toBe(PLAUSIBLE_NO); // auth type 9
    expect(probe(hex('10 00 00 00 41 42 43 44'), 0)).toBe(PLAUSIBLE_YES); // unknown but tag-shaped
    expect(probe(hex('10 00 00 00 61 62 00 ff'), 0)).toBe(PLAUSIBLE_NO); // not a tag
  });
  it('says maybe when the header is incomplete but consistent', () => {
    expect(probe(hex('2a 00 00'), 1, false)).toBe(PLAUSIBLE_MAYBE);
    expect(probe(hex('2a 00 01'), 1, false)).toBe(PLAUSIBLE_NO);
    expect(probe(hex('2a 00 00'), 1, true)).toBe(PLAUSIBLE_MAYBE); // the framer itself needs the header
    expect(probe(hex('2b 00 00 00 00'), 1, true)).toBe(PLAUSIBLE_NO); // incomplete at the end of the stream
  });
  it('checks the byte after a complete candidate', () => {
    expect(probe(hex('2b 00 00 00 00 00 00 00 2a'), 1)).toBe(PLAUSIBLE_YES);
    expect(probe(hex('2b 00 00 00 00 00 00 00 99'), 1)).toBe(PLAUSIBLE_NO);
  });
});

describe('session-manager fields', () => {
  it('tags', () => {
    expect(sessionKindOfTag(hex('10 00 00 00 53 4f 4c 20'), 0)).toBe(KIND_SOL);
    expect(sessionKindOfTag(hex('10 00 00 00 49 44 45 52'), 0)).toBe(KIND_IDER);
    expect(sessionKindOfTag(hex('10 01 00 00 4b 56 4d 52'), 0)).toBe(KIND_KVM);
    expect(sessionKindOfTag(hex('10 00 00 00 58 58 58 58'), 0)).toBe(KIND_UNKNOWN);
    expect(sessionKindOfTag(hex('10 00 00'), 0)).toBe(KIND_UNKNOWN);
  });
  it('start reply: status and firmware major.minor from bytes 6..7 (issue #24 transcripts)', () => {
    expect(parseStartReply(hex('11:00:00:00:01:00:0b:08:57:01:00:00:00'), 0, 13)).toEqual({ status: 0, version: '11.8' });
    expect(parseStartReply(hex('11:00:00:00:01:00:0c:00:57:01:00:00:00'), 0, 13)).toEqual({ status: 0, version: '12.0' });
    expect(parseStartReply(hex('11:02:00:00'), 0, 4)).toEqual({ status: 2, version: null });
    expect(parseStartReply(hex('11'), 0, 1)).toBeNull();
  });
  it('SOL parameters of amtterm (RedirectionConstants.h) and MeshCommander', () => {
    const amtterm = AMTTERM18_DIGEST_OK.events.find((e) => e[1][0] === 0x20)?.[1] as Uint8Array;
    expect(formatSolParams(amtterm, 0, amtterm.length)).toBe('1000/100/0/10000/0/5000');
    expect(formatSolParams(amtterm, 0, 10)).toBeNull();
  });
});

describe('auth payloads', () => {
  const payload = (m: Uint8Array) => [m, 9, m.length] as const;
  it('query reply: list of offered types', () => {
    const [m, o, e] = payload(authReply(0, 0, Uint8Array.of(1, 3, 4, 4)));
    expect(parseAuthTypeList(m, o, e)).toEqual([1, 3, 4]);
    expect(parseAuthTypeList(m, o, o)).toEqual([]);
  });

  it('userpass: user and password length only', () => {
    const msg = AMTTERM14_USERPASS_OK.events[2]?.[1] as Uint8Array;
    const r = parseAuthRequest(1, msg, 9, msg.length, 1024);
    expect(r).toMatchObject({ user: 'admin', passwordLen: 8, error: 0, fields: 2 });
    expect(JSON.stringify(r)).not.toContain('P@ssw0rd');
    // MeshCommander firmware mode: empty userpass
    expect(parseAuthRequest(1, hex('13 00 00 00 01 00 00 00 00'), 9, 9, 1024)).toMatchObject({ user: null, passwordLen: 0, error: 0 });
    // password length past L
    const lie = authReq(1, cat(lp('admin'), [50], ascii('abc')));
    expect(parseAuthRequest(1, lie, 9, lie.length, 1024)).toMatchObject({ user: 'admin', passwordLen: 0, error: A_REDIR_AUTH_STRING_OVERFLOW });
  });

  it('digest step 1 (amtterm / MeshCommander layout)', () => {
    const step1 = AMTTERM18_DIGEST_OK.events[4]?.[1] as Uint8Array;
    const r = parseAuthRequest(4, step1, 9, step1.length, 1024);
    expect(r).toMatchObject({ user: 'admin', uri: '/RedirectionService', realm: '', nonce: '', step1: true, error: 0, fields: 8 });
    // type 3 step 1: one empty string less
    const s3 = authReq(3, cat(lp('admin'), [0, 0], lp('/RedirectionService'), [0, 0, 0]));
    expect(parseAuthRequest(3, s3, 9, s3.length, 1024)).toMatchObject({ user: 'admin', step1: true, fields: 7, error: 0 });
  });

  it('digest response: every field, response length only', () => {
    const resp = AMTTERM18_DIGEST_OK.events[6]?.[1] as Uint8Array;
    const r = parseAuthRequest(4, resp, 9, resp.length, 1024);
    expect(r).toMatchObject({
      user: 'admin',
      realm: STANDIN_REALM,
      nonce: STANDIN_NONCE,
      uri: '/RedirectionService',
      cnonce: AMTTERM18_OK_CNONCE,
      nc: '00000002',
      responseLen: 32,
      qop: 'auth',
      step1: false,
      error: 0,
      fields: 8,
    });
  });

  it('an empty response after a challenge is not step 1 (CVE-2017-5689 shape)', () => {
    const m = authReq(4, lp('admin', 'Digest:X', 'n0nce', '/RedirectionService', 'c', '00000002', '', 'auth'));
    expect(parseAuthRequest(4, m, 9, m.length, 1024)).toMatchObject({ responseLen: 0, step1: false, nonce: 'n0nce' });
  });

  it('a string length past L, and bytes after the last string', () => {
    const m = authReq(4, cat(lp('admin', 'realm'), [200], ascii('xx')));
    expect(parseAuthRequest(4, m, 9, m.length, 1024)).toMatchObject({ user: 'admin', realm: 'realm', nonce: null, fields: 2, error: A_REDIR_AUTH_STRING_OVERFLOW });
    const t = authReq(4, cat(lp('a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'), [1, 2, 3]));
    expect(parseAuthRequest(4, t, 9, t.length, 1024)).toMatchObject({ fields: 8, error: A_REDIR_AUTH_TRAILING_BYTES });
    // end bounds the parse even when the buffer goes on
    const full = authReq(4, lp('admin', 'realm', 'nonce'));
    expect(parseAuthRequest(4, full, 9, 9 + 8, 1024)).toMatchObject({ user: 'admin', fields: 1, error: A_REDIR_AUTH_STRING_OVERFLOW });
    const q = hex('13 00 00 00 00 01 00 00 00 07');
    expect(parseAuthRequest(0, q, 9, q.length, 1024).error).toBe(A_REDIR_AUTH_TRAILING_BYTES);
  });

  it('cuts strings to maxChars', () => {
    const m = authReq(4, lp('administrator'));
    expect(parseAuthRequest(4, m, 9, m.length, 5)).toMatchObject({ user: 'admin', cut: true });
  });

  it('challenge: realm, nonce, qop; lies detected', () => {
    const ch = AMTTERM18_DIGEST_OK.events[5]?.[1] as Uint8Array;
    expect(parseAuthChallenge(ch, 9, ch.length, 1024)).toEqual({ realm: STANDIN_REALM, nonce: STANDIN_NONCE, qop: 'auth', error: 0, cut: false });
    const lie = authReply(1, 4, cat(lp('Digest:X'), [99], ascii('abc')));
    expect(parseAuthChallenge(lie, 9, lie.length, 1024)).toMatchObject({ realm: 'Digest:X', nonce: null, error: A_REDIR_AUTH_STRING_OVERFLOW });
    const rfc2069 = authReply(1, 3, lp('Digest:X', 'nonce'));
    expect(parseAuthChallenge(rfc2069, 9, rfc2069.length, 1024)).toMatchObject({ realm: 'Digest:X', nonce: 'nonce', qop: null, error: 0 });
  });
});

describe('RFB ProtocolVersion', () => {
  it('parses and formats', () => {
    expect(parseRfbVersion(ascii('RFB 003.008\n'), 0, 12)).toBe(3008);
    expect(parseRfbVersion(ascii('RFB 004.000\n'), 0, 12)).toBe(4000);
    expect(parseRfbVersion(ascii('RFB 003.889\n'), 0, 12)).toBe(3889);
    expect(parseRfbVersion(ascii('RFB 003.008'), 0, 11)).toBe(-1);
    expect(parseRfbVersion(ascii('RFB 0x3.008\n'), 0, 12)).toBe(-1);
    expect(parseRfbVersion(ascii('HTTP/1.1 200'), 0, 12)).toBe(-1);
    expect(formatRfbVersion(3008)).toBe('003.008');
    expect(formatRfbVersion(4000)).toBe('004.000');
  });
});
