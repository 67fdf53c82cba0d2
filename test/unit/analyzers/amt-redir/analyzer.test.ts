import { describe, expect, it } from 'vitest';
import { createRedirAnalyzer } from '../../../../src/analyzers/amt-redir/analyzer.js';
import { AMT_REDIR_FIELDS, type AmtRedirRecord } from '../../../../src/records/index.js';
import {
  ALL_CONVERSATIONS,
  AMTTERM14_USERPASS_BAD,
  AMTTERM14_USERPASS_OK,
  AMTTERM18_DIGEST_BAD,
  AMTTERM18_DIGEST_OK,
  AMTTERM18_OK_CNONCE,
  type Conversation,
  ascii,
  authReply,
  authReq,
  cat,
  type Dir,
  type Event,
  hex,
  lp,
  MC_CNONCE,
  MC_NONCE,
  MC_REALM,
  MESHCOMMANDER_IDER,
  MESHCOMMANDER_KVM_DIRECT,
  MESHCOMMANDER_KVM_WS_118,
  MESHCOMMANDER_KVM_WS_120_REFUSED,
  MESHCOMMANDER_KVM_WS_KERBEROS,
  MESHCOMMANDER_SOL,
  solData,
  STANDIN_NONCE,
  STANDIN_REALM,
} from './fixtures.js';
import { fakeHost, run, runSteps, START_TS, type Step } from './host.js';
import { rng } from '../../../helpers/rng.js';

function latin1(b: Uint8Array): string {
  return String.fromCharCode(...b);
}

describe('record shape', () => {
  it('emits exactly the AMT_REDIR_FIELDS keys, in order', () => {
    for (const c of ALL_CONVERSATIONS) {
      const { record, records } = run(c, { extract: true });
      expect(records).toHaveLength(1);
      expect(Object.keys(record)).toEqual(AMT_REDIR_FIELDS.map((f) => f.key));
      expect(record.event_type).toBe('amt_redir');
      expect(record.uid).toBe('CTEST0001');
      expect(record['id.resp_p']).toBe(16994);
    }
  });

  it('a session with no payload still emits one record of nulls and zeros', () => {
    const { record, records, anomalies } = runSteps([]);
    expect(records).toHaveLength(1);
    expect(record).toMatchObject({
      ts: START_TS,
      session_type: null,
      start_status: null,
      amt_version: null,
      auth_types_offered: [],
      auth_type: null,
      username: null,
      auth_result: null,
      auth_attempts: 0,
      auth_failures: 0,
      session_started: false,
      msgs_orig: 0,
      msgs_resp: 0,
      transcript: null,
      partial: false,
    });
    expect(anomalies).toEqual([]);
  });

  it('end() twice emits once; data after end() is ignored', () => {
    const h = fakeHost();
    const a = createRedirAnalyzer(h.host);
    const b = hex('10 00 00 00 53 4f 4c 20');
    a.data(0, b, 0, b.length, START_TS + 5);
    a.end(START_TS + 10);
    a.end(START_TS + 11);
    a.data(0, b, 0, b.length, START_TS + 12);
    a.gap(0, 10, START_TS + 13);
    expect(h.records).toHaveLength(1);
    expect((h.records[0] as AmtRedirRecord).ts).toBe(START_TS + 5);
  });
});

describe('real amtterm conversations', () => {
  it('amtterm 1.8 digest: user, digest fields, SOL params, success', () => {
    const { record, anomalies, facts } = run(AMTTERM18_DIGEST_OK, { extract: true });
    expect(anomalies).toEqual([]);
    expect(record).toMatchObject({
      session_type: 'SOL',
      start_status: 0,
      amt_version: '11.8',
      auth_types_offered: ['userpass', 'digest_rfc2069', 'digest'],
      auth_type: 'digest',
      username: 'admin',
      digest_realm: STANDIN_REALM,
      digest_nonce: STANDIN_NONCE,
      digest_cnonce: AMTTERM18_OK_CNONCE,
      digest_nc: '00000002',
      digest_response_len: 32,
      password_cleartext: false,
      auth_result: 'success',
      auth_attempts: 1, // the step-1 request and its status-1 challenge are not an attempt/failure
      auth_failures: 0,
      session_started: true,
      sol_params: '1000/100/0/10000/0/5000',
      msgs_orig: 9,
      msgs_resp: 8,
      sol_input_bytes: 4, // "ls\r" and the ^] amtterm sends after 0x22
      sol_output_bytes: 10,
      transcript: '[<] login: \n[>] ls\r\n[<] ls\r\n[>] \x1d',
      partial: false,
    });
    expect(record.digest_cnonce).toMatch(/^[0-9a-f]{32}$/);
    expect(facts).toMatchObject({ firmware: '11.8', user: 'admin', auth: 'success', redirection: 'SOL' });
  });

  it('amtterm 1.8 digest with a wrong password: one attempt, one failure', () => {
    const { record, facts } = run(AMTTERM18_DIGEST_BAD);
    expect(record).toMatchObject({ auth_type: 'digest', username: 'admin', auth_result: 'failure', auth_attempts: 1, auth_failures: 1, session_started: false });
    expect(facts.auth).toBe('failure');
  });

  it('amtterm 1.4 userpass: cleartext password flagged, never emitted', () => {
    const ok = run(AMTTERM14_USERPASS_OK, { extract: true });
    expect(ok.record).toMatchObject({
      auth_type: 'userpass',
      username: 'admin',
      password_cleartext: true,
      auth_result: 'success',
      auth_attempts: 1,
      auth_types_offered: [], // amtterm 1.4 never queries
      session_started: true,
      sol_params: '1000/100/0/10000/0/5000',
    });
    expect(JSON.stringify(ok.record)).not.toContain('P@ssw0rd');
    const bad = run(AMTTERM14_USERPASS_BAD);
    expect(bad.record).toMatchObject({ auth_result: 'failure', auth_failures: 1, password_cleartext: true });
    expect(JSON.stringify(bad.record)).not.toContain('wrong');
  });
});

describe('MeshCommander conversations (issue #24 and code)', () => {
  it('KVM over /ws-redirection, AMT 11.8: empty userpass accepted, RFB 004.000', () => {
    const { record, facts } = run(MESHCOMMANDER_KVM_WS_118);
    expect(record).toMatchObject({
      session_type: 'KVM',
      amt_version: '11.8',
      auth_type: 'userpass',
      username: null,
      password_cleartext: false,
      auth_result: 'success',
      session_started: true,
      rfb_version: '004.000',
      rfb_desktop_name: null,
      partial: false,
    });
    expect(facts.redirection).toBe('KVM');
  });

  it('AMT 12.0 refuses the empty userpass with status 2 (not_supported)', () => {
    const { record, facts } = run(MESHCOMMANDER_KVM_WS_120_REFUSED);
    expect(record).toMatchObject({ amt_version: '12.0', auth_result: 'not_supported', auth_failures: 0, session_started: false });
    expect(facts.auth).toBe('failure');
  });

  it('Kerberos type 2 with L = 0', () => {
    expect(run(MESHCOMMANDER_KVM_WS_KERBEROS).record).toMatchObject({ auth_type: 'kerberos', auth_result: 'success', auth_attempts: 1 });
  });

  it('KVM direct: digest, 0x40/0x41, RFB versions, None security, ServerInit name; then count only', () => {
    const { record, anomalies } = run(MESHCOMMANDER_KVM_DIRECT);
    expect(anomalies).toEqual([]);
    expect(record).toMatchObject({
      session_type: 'KVM',
      auth_types_offered: ['digest'],
      username: 'admin',
      digest_realm: MC_REALM,
      digest_nonce: MC_NONCE,
      digest_cnonce: MC_CNONCE,
      auth_result: 'success',
      session_started: true,
      rfb_version: '003.008',
      rfb_desktop_name: 'Intel(r) AMT KVM',
      msgs_orig: 5, // 0x10, 0x13 x3, 0x40: RFB is not counted as messages
      msgs_resp: 5,
      partial: false,
    });
  });

  it('SOL: MeshCommander parameters and an interleaved transcript', () => {
    const { record } = run(MESHCOMMANDER_SOL, { extract: true });
    expect(record.sol_params).toBe('10000/100/0/10000/100/0');
    expect(record.session_started).toBe(true);
    expect(record.sol_input_bytes).toBe('root\r'.length + 'toor\r'.length + 'id\r'.length);
    expect(record.transcript).toBe(
      '[<] \r\nhost login: \n[>] root\r\n[<] root\r\nPassword: \n[>] toor\r\n[<] \r\nroot@host:~# \n[>] id\r\n[<] id\r\nuid=0(root) gid=0(root)\r\nroot@host:~# ',
    );
    expect(run(MESHCOMMANDER_SOL).record.transcript).toBeNull(); // only with --extract
  });

  it('IDE-R: open/reply, features, command, 2048-byte sector counted by length, close, end', () => {
    const { record, anomalies } = run(MESHCOMMANDER_IDER);
    expect(anomalies).toEqual([]);
    expect(record).toMatchObject({ session_type: 'IDER', session_started: true, msgs_orig: 9, msgs_resp: 9, partial: false, sol_input_bytes: 0 });
  });
});

describe('delivery does not matter', () => {
  it('byte-at-a-time delivery equals one chunk per write', () => {
    for (const c of ALL_CONVERSATIONS) {
      const a = run(c, { extract: true }, 'chunks');
      const b = run(c, { extract: true }, 'bytes');
      expect(b.record, c.name).toEqual(a.record);
      expect(b.anomalies, c.name).toEqual(a.anomalies);
      expect(b.facts, c.name).toEqual(a.facts);
    }
  });

  it('all of one direction in one chunk equals per-message writes (coalesced segments)', () => {
    for (const c of [AMTTERM18_DIGEST_OK, MESHCOMMANDER_SOL, MESHCOMMANDER_IDER]) {
      const a = run(c, { extract: true });
      // each direction's bytes in two big chunks, client then AMT, except ordering-sensitive auth
      const steps: Step[] = [];
      for (const e of c.events) {
        const last = steps[steps.length - 1];
        if (last && last[0] === e[0]) steps[steps.length - 1] = [e[0], cat(last[1] as Uint8Array, e[1])];
        else steps.push([e[0], e[1]]);
      }
      expect(runSteps(steps, { extract: true }).record).toEqual(a.record);
    }
  });
});

describe('segmentation never changes the result (mutated conversations, gaps, small limits)', () => {
  it('2000 mutated conversations, re-chunked at random: same record and anomalies', () => {
    const r = rng(12345);
    const opts = { extract: true, limits: { maxFieldChars: 40, maxSolTranscriptBytes: 100, maxRedirMessageBytes: 300 } };
    for (let iter = 0; iter < 2000; iter++) {
      const c = ALL_CONVERSATIONS[r() % ALL_CONVERSATIONS.length] as Conversation;
      const steps: Step[] = [];
      for (const [d, b0] of c.events) {
        const b = Uint8Array.from(b0);
        if (r() % 3 === 0 && b.length) for (let k = 0; k < 1 + (r() % 3); k++) b[r() % b.length] = [0, 0xff, r() & 0xff, 0x28, 0x14][r() % 5] as number;
        if (r() % 15 === 0) steps.push(['gap', d, 1 + (r() % 40)]);
        steps.push([d, r() % 10 === 0 ? b.subarray(0, r() % (b.length + 1)) : b]);
      }
      const a = runSteps(steps, opts);
      const re: Step[] = [];
      for (const s of steps) {
        if (s[0] === 'gap') {
          re.push(s);
          continue;
        }
        const [d, b] = s;
        for (let o = 0; o < b.length; ) {
          const k = 1 + (r() % 7);
          re.push([d, b.subarray(o, Math.min(b.length, o + k))]);
          o += k;
        }
      }
      const b = runSteps(re, opts);
      expect({ ...b.record, ts: 0 }).toEqual({ ...a.record, ts: 0 });
      expect(b.anomalies).toEqual(a.anomalies);
    }
  });
});

/** Truncates a conversation after `k` bytes in wire order. */
function prefix(c: Conversation, k: number): Event[] {
  const out: Event[] = [];
  let left = k;
  for (const [d, b] of c.events) {
    if (left <= 0) break;
    out.push([d, b.subarray(0, Math.min(left, b.length))]);
    left -= b.length;
  }
  return out;
}

describe('truncation sweep', () => {
  const STRING_FIELDS = ['username', 'digest_realm', 'digest_nonce', 'digest_cnonce', 'digest_nc', 'rfb_desktop_name'] as const;
  const SAME_WHEN_SET = ['session_type', 'start_status', 'amt_version', 'auth_type', 'auth_result', 'sol_params', 'rfb_version', 'digest_response_len'] as const;
  const COUNTS = ['auth_attempts', 'auth_failures', 'msgs_orig', 'msgs_resp', 'sol_input_bytes', 'sol_output_bytes'] as const;
  const FLAGS = ['session_started', 'password_cleartext'] as const;

  it.each(ALL_CONVERSATIONS.map((c) => [c.name, c] as const))('every prefix of %s', (_n, c) => {
    const full = run(c, { extract: true }).record;
    const total = c.events.reduce((a, e) => a + e[1].length, 0);
    for (let k = 0; k <= total; k++) {
      const events = prefix(c, k);
      const r = runSteps(events, { extract: true });
      expect(r.records).toHaveLength(1);
      const rec = r.record;
      const text = [0, 1].map((d) => latin1(cat(...events.filter((e) => e[0] === d).map((e) => e[1]))));
      for (const f of STRING_FIELDS) {
        const v = rec[f];
        if (v !== null) {
          expect(v, `${f} at ${k}`).toBe(full[f]);
          expect(text[0]?.includes(v) || text[1]?.includes(v), `${f} not in prefix ${k}`).toBe(true);
        }
      }
      for (const f of SAME_WHEN_SET) if (rec[f] !== null) expect(rec[f], `${f} at ${k}`).toBe(full[f]);
      if (rec.rfb_version !== null) expect(text[1]).toContain(`RFB ${rec.rfb_version}\n`);
      for (const f of COUNTS) expect(rec[f], `${f} at ${k}`).toBeLessThanOrEqual(full[f]);
      for (const f of FLAGS) if (rec[f]) expect(full[f], `${f} at ${k}`).toBe(true);
      for (const t of rec.auth_types_offered) expect(full.auth_types_offered).toContain(t);
      if (rec.transcript !== null) expect((full.transcript ?? '').startsWith(rec.transcript), `transcript at ${k}`).toBe(true);
      if (k < total && rec.partial === false) {
        // a cut inside a message must be reported
        expect(r.anomalies.includes('amt_redir.truncated')).toBe(false);
      }
    }
  });

  it('a short StartRedirectionSessionReply (status only, then close) still gives the status', () => {
    const r = runSteps([
      [0, hex('10 00 00 00 53 4f 4c 20')],
      [1, hex('11 02 00 00')],
    ]);
    expect(r.record).toMatchObject({ start_status: 2, amt_version: null, partial: true });
    expect(r.anomalies).toContain('amt_redir.truncated');
  });
});

describe('lying lengths', () => {
  const head: Step[] = [
    [0, hex('10 00 00 00 53 4f 4c 20')],
    [1, hex('11 00 00 00 01 00 0b 08 57 01 00 00 00')],
  ];

  it('0x13 whose L is larger than the message swallows what follows, and says so', () => {
    const real = lp('admin', STANDIN_REALM, STANDIN_NONCE, '/RedirectionService', 'c'.repeat(32), '00000002', 'r'.repeat(32), 'auth');
    const lie = cat([0x13, 0, 0, 0, 4], [real.length + 40, 0, 0, 0], real);
    const r = runSteps([...head, [0, lie], [1, hex('14 00 00 00 04 00 00 00 00')], [0, hex('20 00 00 00 00 00 00 00 e8 03 64 00 00 00 10 27 00 00 88 13 00 00 00 00')]]);
    expect(r.records).toHaveLength(1);
    expect(r.record.sol_params).toBeNull(); // eaten by the lying 0x13
    expect(r.record.username).toBeNull(); // the 0x13 never completed
    expect(r.record.partial).toBe(true);
    expect(r.anomalies).toContain('amt_redir.truncated');
  });

  it('a string length past L is an anomaly; framing continues', () => {
    const bad = authReq(4, cat(lp('admin'), [200], ascii('Digest:xyz')));
    const r = runSteps([...head, [0, bad], [0, hex('12 00 00 00')]]);
    expect(r.anomalies).toContain('amt_redir.auth_string_overflow');
    expect(r.record).toMatchObject({ username: 'admin', digest_realm: null, auth_attempts: 1, msgs_orig: 3 });
  });

  it('0x11 with N = 255 waits for its OEM bytes; at the end the cut 0x11 gives its status, the rest resyncs', () => {
    const r = runSteps([
      [0, hex('10 00 00 00 53 4f 4c 20')],
      [1, hex('11 00 00 00 01 00 0b 08 57 01 00 00 ff')],
      [1, hex('14 00 00 00 00 01 00 00 00 04')],
    ]);
    expect(r.record.start_status).toBe(0); // from the short-message rule at end()
    expect(r.record.amt_version).toBeNull(); // never from an incomplete reply
    expect(r.record.auth_types_offered).toEqual(['digest']);
    expect(r.record.partial).toBe(true);
    expect(r.anomalies).toContain('amt_redir.resync');
  });

  it('0x11 with N = 255 mid-stream swallows what follows, then reports the cut', () => {
    const r = runSteps([
      [1, hex('14 00 00 00 00 01 00 00 00 04')],
      [1, hex('11 00 00 00 01 00 0b 08 57 01 00 00 ff')],
      [1, hex('14 00 00 00 04 00 00 00 00')],
    ]);
    expect(r.record.auth_result).toBeNull();
    expect(r.record.partial).toBe(true);
    expect(r.anomalies).toContain('amt_redir.truncated');
  });

  it('0x28 with n = 0xffff counts only bytes actually seen', () => {
    const r = runSteps([...head, [0, cat(hex('28 00 00 00 00 00 00 00 ff ff'), ascii('abc'))], [0, hex('12 00 00 00')]], { extract: true });
    expect(r.record.sol_input_bytes).toBe(7); // "abc" + the 0x12 eaten as keystrokes
    expect(r.record.partial).toBe(true);
    expect(r.anomalies).toContain('amt_redir.truncated');
    expect(r.record.transcript).toBe('[>] abc\x12\x00\x00\x00');
  });

  it('L = 0xffffffff: message_too_long, then resync on the next real message', () => {
    const r = runSteps([
      ...head,
      [0, cat(hex('13 00 00 00 04 ff ff ff ff'), lp('admin', 'x'))],
      [1, hex('14 00 00 00 04 00 00 00 00')],
      [0, hex('20 00 00 00 00 00 00 00 e8 03 64 00 00 00 10 27 00 00 88 13 00 00 00 00')],
    ]);
    expect(r.anomalies).toContain('amt_redir.message_too_long');
    expect(r.anomalies).toContain('amt_redir.resync');
    expect(r.record.sol_params).toBe('1000/100/0/10000/0/5000');
    expect(r.record.auth_result).toBe('success');
    expect(r.record.partial).toBe(true);
  });

  it('a too-long 0x14 (over maxRedirMessageBytes) is refused without buffering it', () => {
    const r = runSteps([...head, [1, hex('14 01 00 00 04 00 00 01 00')]], { limits: { maxRedirMessageBytes: 4096 } });
    expect(r.anomalies).toContain('amt_redir.message_too_long');
  });
});

describe('unknown types and garbage', () => {
  it('an unknown type: anomaly, resync, then normal parsing', () => {
    const r = runSteps([
      [0, hex('10 00 00 00 53 4f 4c 20')],
      [1, hex('11 00 00 00 01 00 0b 08 57 01 00 00 00')],
      [0, hex('99 01 02 03 04 05')],
      [0, hex('13 00 00 00 01 0c 00 00 00 05 61 64 6d 69 6e 05 77 72 6f 6e 67')],
      [1, hex('14 01 00 00 01 00 00 00 00')],
    ]);
    expect(r.anomalies).toEqual(['amt_redir.unknown_type', 'amt_redir.resync']);
    expect(r.record).toMatchObject({ username: 'admin', auth_result: 'failure', msgs_orig: 2, partial: true });
  });

  it('HTTP on the redirection port is not AMT: one record, nothing claimed', () => {
    const r = runSteps([
      [0, ascii('GET / HTTP/1.1\r\nHost: x\r\n\r\n')],
      [1, ascii('HTTP/1.1 400 Bad Request\r\n\r\n')],
    ]);
    expect(r.record).toMatchObject({ session_type: null, start_status: null, msgs_orig: 0, msgs_resp: 0, partial: true });
    // "GET" would frame as IDE-R 0x47 if the first message were trusted; it is probed instead
    expect(r.anomalies).toEqual(['amt_redir.resync', 'amt_redir.resync']);
  });

  it('an unknown session tag', () => {
    const r = runSteps([[0, hex('10 00 00 00 41 42 43 44')]]);
    expect(r.record.session_type).toBeNull();
    expect(r.anomalies).toContain('amt_redir.unknown_session_tag');
  });

  it('bytes after EndRedirectionSession', () => {
    const r = runSteps([[0, hex('10 00 00 00 53 4f 4c 20 12 00 00 00 28 00 00 00')]]);
    expect(r.anomalies).toEqual(['amt_redir.data_after_end']);
    expect(r.record.msgs_orig).toBe(2);
  });

  it('midstream (no 0x10): the session kind is inferred for framing, session_type stays null', () => {
    const r = runSteps([
      [1, solData(0x2a, 0, ascii('hello'))],
      [0, solData(0x28, 0, ascii('x'))],
    ]);
    expect(r.record).toMatchObject({ session_type: null, sol_output_bytes: 5, sol_input_bytes: 1, msgs_orig: 1, msgs_resp: 1 });
  });
});

describe('auth state machine', () => {
  const head: Step[] = [
    [0, hex('10 00 00 00 53 4f 4c 20')],
    [1, hex('11 00 00 00 01 00 0b 08 57 01 00 00 00')],
  ];
  const step1 = authReq(4, cat(lp('admin'), [0, 0], lp('/RedirectionService'), [0, 0, 0, 0]));
  const challenge = authReply(1, 4, lp('Digest:R', 'nonce1', 'auth'));
  const full = (resp: string) => authReq(4, lp('admin', 'Digest:R', 'nonce1', '/RedirectionService', 'cn', '00000002', resp, 'auth'));

  it('two failures then success: attempts 3, failures 2, result success', () => {
    const r = runSteps([
      ...head,
      [0, step1],
      [1, challenge],
      [0, full('a'.repeat(32))],
      [1, authReply(1, 4)],
      [0, step1],
      [1, challenge],
      [0, full('b'.repeat(32))],
      [1, authReply(1, 4, lp('Digest:R', 'nonce2', 'auth'))], // failure that carries a fresh challenge
      [0, full('c'.repeat(32))],
      [1, authReply(0, 4)],
    ]);
    expect(r.record).toMatchObject({ auth_attempts: 3, auth_failures: 2, auth_result: 'success', digest_nonce: 'nonce1' });
    expect(r.facts.auth).toBe('success');
  });

  it('an empty digest response (CVE-2017-5689 shape) is an attempt with response length 0', () => {
    const r = runSteps([...head, [0, step1], [1, challenge], [0, full('')], [1, authReply(0, 4)]]);
    expect(r.record).toMatchObject({ digest_response_len: 0, auth_attempts: 1, auth_result: 'success' });
  });

  it('only a step-1 request (realm harvesting): user and realm, no attempt, facts.auth none', () => {
    const r = runSteps([...head, [0, step1], [1, challenge]]);
    expect(r.record).toMatchObject({ username: 'admin', digest_realm: 'Digest:R', digest_nonce: 'nonce1', auth_attempts: 0, auth_failures: 0, auth_result: null });
    expect(r.facts.auth).toBe('none');
    expect(r.facts.user).toBe('admin');
  });

  it('credentials sent, no reply: facts.auth unknown', () => {
    const r = runSteps([...head, [0, authReq(1, cat(lp('admin'), lp('pw')))]]);
    expect(r.facts.auth).toBe('unknown');
    expect(r.record.auth_result).toBeNull();
  });

  it('firmware fact is not overwritten', () => {
    const h = fakeHost();
    h.facts.firmware = '11.8.50';
    const a = createRedirAnalyzer(h.host);
    const b = hex('11 00 00 00 01 00 0c 00 57 01 00 00 00');
    a.data(1, b, 0, b.length, START_TS);
    a.end(START_TS);
    expect(h.facts.firmware).toBe('11.8.50');
    expect((h.records[0] as AmtRedirRecord).amt_version).toBe('12.0');
  });
});

/** Splits event `i` of a conversation at byte `at`, inserting a gap of `n` bytes of that event. */
function withGap(c: Conversation, i: number, at: number, n: number): Step[] {
  const steps: Step[] = [];
  c.events.forEach((e, j) => {
    if (j !== i) {
      steps.push(e);
      return;
    }
    const [d, b] = e;
    if (at > 0) steps.push([d, b.subarray(0, at)]);
    steps.push(['gap', d, n]);
    if (at + n < b.length) steps.push([d, b.subarray(at + n)]);
  });
  return steps;
}

describe('gaps', () => {
  it('a gap inside SOL data is skipped by count: framing survives', () => {
    const i = MESHCOMMANDER_SOL.events.findIndex((e) => e[0] === 1 && e[1][0] === 0x2a && e[1].length > 30);
    const full = run(MESHCOMMANDER_SOL, { extract: true }).record;
    const r = runSteps(withGap(MESHCOMMANDER_SOL, i, 14, 6), { extract: true });
    expect(r.anomalies).toEqual([]);
    expect(r.record.sol_output_bytes).toBe(full.sol_output_bytes - 6);
    expect(r.record.msgs_resp).toBe(full.msgs_resp); // the 0x2B after it still framed
    expect(r.record.partial).toBe(true);
    expect(r.record.transcript).toContain('[gap 6]');
  });

  it('a gap over a whole client auth response: resync on 0x20, result still seen', () => {
    const i = AMTTERM18_DIGEST_OK.events.findIndex((e) => e[0] === 0 && e[1][4] === 4 && e[1][5] === 0xb3);
    const len = (AMTTERM18_DIGEST_OK.events[i] as Event)[1].length;
    const r = runSteps(withGap(AMTTERM18_DIGEST_OK, i, 0, len));
    expect(r.anomalies).toContain('amt_redir.gap_lost_framing');
    expect(r.record).toMatchObject({
      auth_attempts: 0,
      auth_result: 'success',
      digest_cnonce: null,
      sol_params: '1000/100/0/10000/0/5000',
      session_started: true,
      partial: true,
    });
  });

  it('a gap in the middle of the AMT challenge: the rest is skipped, the success reply resyncs', () => {
    const i = AMTTERM18_DIGEST_OK.events.findIndex((e) => e[0] === 1 && e[1][0] === 0x14 && e[1][1] === 1);
    const r = runSteps(withGap(AMTTERM18_DIGEST_OK, i, 20, 10));
    expect(r.anomalies).toContain('amt_redir.gap_lost_framing');
    expect(r.anomalies).toContain('amt_redir.resync');
    expect(r.record).toMatchObject({
      digest_realm: STANDIN_REALM, // taken from the client's full response instead
      auth_attempts: 1,
      auth_failures: 0,
      auth_result: 'success',
      session_started: true,
      partial: true,
    });
  });

  it('a challenge seen without its step-1 request (gap) is still not a failure', () => {
    const r = runSteps([
      [0, hex('10 00 00 00 53 4f 4c 20')],
      ['gap', 0, 41],
      [1, authReply(1, 4, lp('Digest:R', 'nonce1', 'auth'))],
    ]);
    expect(r.record).toMatchObject({ auth_failures: 0, auth_result: null, digest_nonce: 'nonce1' });
  });

  it('a gap in the RFB handshake stops RFB parsing for that direction', () => {
    const i = MESHCOMMANDER_KVM_DIRECT.events.findIndex((e) => e[0] === 1 && e[1].length === 40);
    const r = runSteps(withGap(MESHCOMMANDER_KVM_DIRECT, i, 0, 10));
    expect(r.record).toMatchObject({ rfb_version: '003.008', rfb_desktop_name: null, partial: true });
  });

  it('gaps after the KVM handshake do not matter (count only)', () => {
    const steps: Step[] = [...MESHCOMMANDER_KVM_DIRECT.events, ['gap', 1, 5000], ['gap', 0, 50]];
    expect(runSteps(steps).record.partial).toBe(false);
  });
});

describe('RFB variants', () => {
  const kvmHead = (): Step[] => [
    [0, hex('10 01 00 00 4b 56 4d 52')],
    [1, hex('11 00 00 00 01 00 0c 00 57 01 00 00 00')],
    [0, hex('13 00 00 00 02 00 00 00 00')],
    [1, hex('14 00 00 00 02 00 00 00 00')],
    [0, hex('40 00 00 00 00 00 00 00')],
  ];
  const serverInit = (name: string) => cat([0, 8, 0, 6], new Uint8Array(16), [0, 0, 0, name.length], ascii(name));

  it('RFB 3.3 with VNC authentication', () => {
    const r = runSteps([
      ...kvmHead(),
      [1, cat(hex('41 00 00 00 00 00 00 00'), ascii('RFB 003.003\n'))],
      [0, ascii('RFB 003.003\n')],
      [1, cat([0, 0, 0, 2], new Uint8Array(16).fill(7))],
      [0, new Uint8Array(16).fill(9)],
      [1, hex('00 00 00 00')],
      [0, hex('01')],
      [1, serverInit('Intel(r) AMT KVM')],
    ]);
    expect(r.record).toMatchObject({ rfb_version: '003.003', rfb_desktop_name: 'Intel(r) AMT KVM' });
  });

  it('RFB 3.7 with None has no SecurityResult', () => {
    const r = runSteps([
      ...kvmHead(),
      [1, cat(hex('41 00 00 00 00 00 00 00'), ascii('RFB 003.008\n'))],
      [0, ascii('RFB 003.007\n')],
      [1, hex('02 01 02')],
      [0, hex('01')],
      [0, hex('01')],
      [1, serverInit('desk')],
    ]);
    expect(r.record.rfb_desktop_name).toBe('desk');
  });

  it('server refuses (no security types): anomaly, no name', () => {
    const r = runSteps([
      ...kvmHead(),
      [1, cat(hex('41 00 00 00 00 00 00 00'), ascii('RFB 003.008\n'))],
      [0, ascii('RFB 003.008\n')],
      [1, cat([0, 0, 0, 0, 4], ascii('nope'))],
    ]);
    expect(r.anomalies).toContain('amt_redir.rfb_handshake_failed');
    expect(r.record.rfb_desktop_name).toBeNull();
  });

  it('a bad ProtocolVersion', () => {
    const r = runSteps([...kvmHead(), [1, cat(hex('41 00 00 00 00 00 00 00'), ascii('HTTP/1.1 200'))]]);
    expect(r.anomalies).toContain('amt_redir.rfb_bad_version');
    expect(r.record.rfb_version).toBeNull();
  });

  it('a huge desktop name is cut to maxFieldChars without buffering it', () => {
    const big = 'N'.repeat(5000);
    const r = runSteps(
      [
        ...kvmHead(),
        [1, cat(hex('41 00 00 00 00 00 00 00'), ascii('RFB 003.008\n'), hex('01 01'))],
        [0, cat(ascii('RFB 003.008\n'), hex('01 01'))],
        [1, cat(hex('00 00 00 00'), [0, 8, 0, 6], new Uint8Array(16), [0, 0, 0x13, 0x88], ascii(big))],
      ],
      { limits: { maxFieldChars: 100 } },
    );
    expect(r.record.rfb_desktop_name).toBe('N'.repeat(100));
    expect(r.anomalies).toContain('amt_redir.field_truncated');
  });

  it('the server side waits for the client version when it arrives later', () => {
    const steps: Step[] = [
      ...kvmHead(),
      [1, cat(hex('41 00 00 00 00 00 00 00'), ascii('RFB 003.008\n'), hex('01 01 00 00 00 00'), serverInit('late'))],
      [0, cat(ascii('RFB 003.008\n'), hex('01 01'))],
    ];
    expect(runSteps(steps).record.rfb_desktop_name).toBe('late');
  });
});

describe('limits', () => {
  it('the transcript stops at maxSolTranscriptBytes and the record is partial', () => {
    const r = run(MESHCOMMANDER_SOL, { extract: true, limits: { maxSolTranscriptBytes: 20 } });
    expect(r.record.transcript).toHaveLength(20);
    expect(r.record.transcript).toBe('[<] \r\nhost login: \n[');
    expect(r.record.partial).toBe(true);
    expect(r.anomalies).toEqual(['amt_redir.transcript_truncated']);
    expect(r.record.sol_output_bytes).toBe(run(MESHCOMMANDER_SOL).record.sol_output_bytes);
  });

  it('strings are cut to maxFieldChars', () => {
    const r = run(AMTTERM18_DIGEST_OK, { limits: { maxFieldChars: 3 } });
    expect(r.record.username).toBe('adm');
    expect(r.record.digest_cnonce).toBe('d7a');
    expect(r.facts.user).toBe('adm');
    expect(r.anomalies).toContain('amt_redir.field_truncated');
  });

  it('messages over maxRedirMessageBytes are refused; the rest still parses', () => {
    const r = run(AMTTERM18_DIGEST_OK, { limits: { maxRedirMessageBytes: 100 } });
    expect(r.anomalies).toContain('amt_redir.message_too_long');
    expect(r.record).toMatchObject({ digest_cnonce: null, auth_result: 'success', sol_params: '1000/100/0/10000/0/5000', partial: true });
  });

  it('IDE-R sector data is never buffered (window stays small)', () => {
    const big = cat(
      [0x54, 0, 0, 2, 0, 0, 0, 0],
      [0, 0x00, 0xf0, 0, 0xb5, 0, 2, 0, 0x00, 0xf0, 0xb0, 0x58, 0x85, 0, 3, 0, 0, 0, 0xb0, 0x50, 0, 0, 0, 0, 0, 0],
      new Uint8Array(0xf000),
    );
    const steps: Step[] = [...MESHCOMMANDER_IDER.events.slice(0, 10), [0, big], [0, hex('12 00 00 00')]];
    const r = runSteps(steps, { limits: { maxRedirMessageBytes: 256 } });
    expect(r.anomalies).toEqual([]);
    expect(r.record.partial).toBe(false);
  });
});

describe('directions are independent', () => {
  it('client bytes delivered before any AMT bytes give the same record for a non-auth-dependent flow', () => {
    const c = MESHCOMMANDER_IDER;
    const byDir = (d: Dir): Step[] => c.events.filter((e) => e[0] === d);
    const r = runSteps([...byDir(0), ...byDir(1)]);
    expect(r.record).toMatchObject({ session_type: 'IDER', session_started: true, msgs_orig: 9, msgs_resp: 9 });
  });
});
