/**
 * Redirection-protocol conversations for the amt-redir tests and fuzz seeds. Each event is one
 * write on the wire: [direction (0 client -> AMT, 1 AMT -> client), bytes].
 *
 * Provenance:
 * - AMTTERM18_DIGEST_*: REAL client bytes. amtterm 1.8 built from kraxel/amtterm (commit 7e941b6,
 *   "release [1.8-1]") talking to a Node stand-in AMT server over TLS (1.8's plain-TCP -P mode fails
 *   to connect: redir_connect() leaves ctx NULL and closes the socket), password "P@ssw0rd" (OK run)
 *   and "wrong" (failed run). The server side is the stand-in's bytes.
 * - AMTTERM14_USERPASS_*: REAL client bytes from the Debian amtterm 1.4-3 package (userpass only, no
 *   auth query), same stand-in server, plain TCP.
 * - MESHCOMMANDER_KVM_*: issue Ylianst/MeshCommander#24 transcripts (AMT 11.8.70 and 12.0.22). The
 *   issue elides the digest payloads ("*") and stops at the RFB banner; those parts are rebuilt from
 *   MeshCommander's code (amt-redir-ws-0.1.0.js, amt-desktop-0.0.2.js) with the issue's lengths
 *   (0x20, 0x4e, 0xb3), and the ServerInit carries AMT's desktop name "Intel(r) AMT KVM".
 * - MESHCOMMANDER_SOL, MESHCOMMANDER_IDER: built from MeshCommander's senders/parsers byte by byte.
 */
import { createHash } from 'node:crypto';

export type Dir = 0 | 1;
export type Event = [Dir, Uint8Array];
export interface Conversation {
  name: string;
  events: Event[];
}

export function hex(s: string): Uint8Array {
  const t = s.replace(/[^0-9a-fA-F]/g, '');
  const out = new Uint8Array(t.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(t.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export function ascii(s: string): Uint8Array {
  return Uint8Array.from(s, (c) => c.charCodeAt(0) & 0xff);
}

export function cat(...parts: (Uint8Array | number[])[]): Uint8Array {
  const n = parts.reduce((a, p) => a + p.length, 0);
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function u16le(n: number): number[] {
  return [n & 0xff, (n >> 8) & 0xff];
}
function u32le(n: number): number[] {
  return [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff];
}
function u32be(n: number): number[] {
  return [(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
}
export const md5 = (s: string): string => createHash('md5').update(s).digest('hex');

/** Length-prefixed strings (1-byte lengths). */
export function lp(...items: string[]): Uint8Array {
  return cat(...items.map((s) => cat([s.length], ascii(s))));
}
export function authReq(type: number, data: Uint8Array): Uint8Array {
  return cat([0x13, 0, 0, 0, type], u32le(data.length), data);
}
export function authReply(status: number, type: number, data: Uint8Array = new Uint8Array(0)): Uint8Array {
  return cat([0x14, status, 0, 0, type], u32le(data.length), data);
}
export function solData(type: 0x28 | 0x2a, seq: number, data: Uint8Array): Uint8Array {
  return cat([type, 0, 0, 0], u32le(seq), u16le(data.length), data);
}
function seqMsg(type: number, seq: number, rest: number[] = []): Uint8Array {
  return cat([type, 0, 0, 0], u32le(seq), rest);
}

// ------------------------------------------------------------------ real amtterm recordings

export const AMTTERM_PASSWORD = 'P@ssw0rd';
export const STANDIN_REALM = 'Digest:A3829B3827DE4D33D4449B366831FD01';
export const STANDIN_NONCE = '0123456789abcdef0123456789abcdef';

const A18_HEAD: Event[] = [
  [0, hex('10 00 00 00 53 4f 4c 20')],
  [1, hex('11 00 00 00 01 00 0b 08 57 01 00 00 00')],
  [0, hex('13 00 00 00 00 00 00 00 00')],
  [1, hex('14 00 00 00 00 03 00 00 00 01 03 04')],
  [0, hex('13 00 00 00 04 20 00 00 00 05 61 64 6d 69 6e 00 00 13 2f 52 65 64 69 72 65 63 74 69 6f 6e 53 65 72 76 69 63 65 00 00 00 00')],
  [1, hex('14 01 00 00 04 4e 00 00 00 27 44 69 67 65 73 74 3a 41 33 38 32 39 42 33 38 32 37 44 45 34 44 33 33 44 34 34 34 39 42 33 36 36 38 33 31 46 44 30 31 20 30 31 32 33 34 35 36 37 38 39 61 62 63 64 65 66 30 31 32 33 34 35 36 37 38 39 61 62 63 64 65 66 04 61 75 74 68')],
];

export const AMTTERM18_DIGEST_OK: Conversation = {
  name: 'amtterm 1.8 digest, success, SOL',
  events: [
    ...A18_HEAD,
    [0, hex('13 00 00 00 04 b3 00 00 00 05 61 64 6d 69 6e 27 44 69 67 65 73 74 3a 41 33 38 32 39 42 33 38 32 37 44 45 34 44 33 33 44 34 34 34 39 42 33 36 36 38 33 31 46 44 30 31 20 30 31 32 33 34 35 36 37 38 39 61 62 63 64 65 66 30 31 32 33 34 35 36 37 38 39 61 62 63 64 65 66 13 2f 52 65 64 69 72 65 63 74 69 6f 6e 53 65 72 76 69 63 65 20 64 37 61 66 62 63 62 35 36 62 37 65 35 37 38 64 37 32 39 32 35 61 31 63 39 62 34 65 38 32 37 66 08 30 30 30 30 30 30 30 32 20 61 66 65 35 63 36 66 65 38 62 34 63 37 63 37 63 35 64 62 63 65 61 62 61 36 35 36 66 62 36 39 31 04 61 75 74 68')],
    [1, hex('14 00 00 00 04 00 00 00 00')],
    [0, hex('20 00 00 00 00 00 00 00 e8 03 64 00 00 00 10 27 00 00 88 13 00 00 00 00')],
    [1, hex('21 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00')],
    [1, hex('2a 00 00 00 00 00 00 00 07 00 6c 6f 67 69 6e 3a 20')],
    [0, hex('28 00 00 00 00 00 00 00 03 00 6c 73 0d')],
    [1, hex('2a 00 00 00 00 00 00 00 03 00 6c 73 0d')],
    [0, hex('22 00 00 00 00 00 00 00')],
    [1, hex('23 00 00 00 00 00 00 00')],
    [0, hex('28 00 00 00 00 00 00 00 01 00 1d')],
    [0, hex('12 00 00 00')],
  ],
};
/** cnonce / response of the OK run (amtterm: cnonce = hex MD5 of gettimeofday; nc fixed 00000002). */
export const AMTTERM18_OK_CNONCE = 'd7afbcb56b7e578d72925a1c9b4e827f';
export const AMTTERM18_OK_RESPONSE = 'afe5c6fe8b4c7c7c5dbceaba656fb691';

export const AMTTERM18_DIGEST_BAD: Conversation = {
  name: 'amtterm 1.8 digest, wrong password',
  events: [
    ...A18_HEAD,
    [0, hex('13 00 00 00 04 b3 00 00 00 05 61 64 6d 69 6e 27 44 69 67 65 73 74 3a 41 33 38 32 39 42 33 38 32 37 44 45 34 44 33 33 44 34 34 34 39 42 33 36 36 38 33 31 46 44 30 31 20 30 31 32 33 34 35 36 37 38 39 61 62 63 64 65 66 30 31 32 33 34 35 36 37 38 39 61 62 63 64 65 66 13 2f 52 65 64 69 72 65 63 74 69 6f 6e 53 65 72 76 69 63 65 20 33 66 39 33 33 34 31 39 39 30 63 61 38 39 64 32 65 32 37 37 37 61 31 32 31 65 32 65 64 35 33 31 08 30 30 30 30 30 30 30 32 20 64 62 62 62 65 34 37 62 61 36 30 65 63 30 38 64 35 36 64 64 32 63 36 33 62 31 61 32 32 63 32 61 04 61 75 74 68')],
    [1, hex('14 01 00 00 04 00 00 00 00')],
  ],
};

export const AMTTERM14_USERPASS_OK: Conversation = {
  name: 'amtterm 1.4 userpass, success, SOL',
  events: [
    [0, hex('10 00 00 00 53 4f 4c 20')],
    [1, hex('11 00 00 00 01 00 0b 08 57 01 00 00 00')],
    [0, hex('13 00 00 00 01 0f 00 00 00 05 61 64 6d 69 6e 08 50 40 73 73 77 30 72 64')],
    [1, hex('14 00 00 00 01 00 00 00 00')],
    [0, hex('20 00 00 00 00 00 00 00 e8 03 64 00 00 00 10 27 00 00 88 13 00 00 00 00')],
    [1, hex('21 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00')],
    [1, hex('2a 00 00 00 00 00 00 00 07 00 6c 6f 67 69 6e 3a 20')],
    [0, hex('28 00 00 00 00 00 00 00 03 00 6c 73 0d')],
    [1, hex('2a 00 00 00 00 00 00 00 03 00 6c 73 0d')],
    [0, hex('22 00 00 00 00 00 00 00')],
    [1, hex('23 00 00 00 00 00 00 00')],
    [0, hex('28 00 00 00 00 00 00 00 01 00 1d 12 00 00 00')],
  ],
};

export const AMTTERM14_USERPASS_BAD: Conversation = {
  name: 'amtterm 1.4 userpass, wrong password',
  events: [
    [0, hex('10 00 00 00 53 4f 4c 20')],
    [1, hex('11 00 00 00 01 00 0b 08 57 01 00 00 00')],
    [0, hex('13 00 00 00 01 0c 00 00 00 05 61 64 6d 69 6e 05 77 72 6f 6e 67')],
    [1, hex('14 01 00 00 01 00 00 00 00')],
  ],
};

// ------------------------------------------------------------------ MeshCommander (issue #24 + code)

/** Issue #24, AMT 11.8.70 over /ws-redirection: empty userpass accepted, KVM, RFB 004.000. */
export const MESHCOMMANDER_KVM_WS_118: Conversation = {
  name: 'MeshCommander KVM over /ws-redirection, AMT 11.8.70 (issue #24)',
  events: [
    [0, hex('10:01:00:00:4b:56:4d:52')],
    [1, hex('11:00:00:00:01:00:0b:08:57:01:00:00:00')],
    [0, hex('13:00:00:00:01:00:00:00:00')],
    [1, hex('14:00:00:00:01:00:00:00:00')],
    [0, hex('40:00:00:00:00:00:00:00')],
    [1, hex('41:00:00:00:00:00:00:00:52:46:42:20:30:30:34:2e:30:30:30:0a')],
  ],
};

/** Issue #24, AMT 12.0.22 over /ws-redirection: the empty userpass is refused with status 2. */
export const MESHCOMMANDER_KVM_WS_120_REFUSED: Conversation = {
  name: 'MeshCommander KVM over /ws-redirection, AMT 12.0.22, refused (issue #24)',
  events: [
    [0, hex('10:01:00:00:4b:56:4d:52')],
    [1, hex('11:00:00:00:01:00:0c:00:57:01:00:00:00')],
    [0, hex('13:00:00:00:01:00:00:00:00')],
    [1, hex('14:02:00:00:01:00:00:00:00')],
  ],
};

/** Issue #24 comment: auth type 2 (Kerberos) with L = 0 works on the WebSocket. */
export const MESHCOMMANDER_KVM_WS_KERBEROS: Conversation = {
  name: 'MeshCommander KVM over /ws-redirection, Kerberos type 2 (issue #24)',
  events: [
    [0, hex('10:01:00:00:4b:56:4d:52')],
    [1, hex('11:00:00:00:01:00:0c:00:57:01:00:00:00')],
    [0, hex('13:00:00:00:02:00:00:00:00')],
    [1, hex('14:00:00:00:02:00:00:00:00')],
  ],
};

export const MC_USER = 'admin';
export const MC_PASSWORD = 'Secret-123';
export const MC_REALM = 'Digest:6D3C1A4B8E2F4E1CB4B5F6A7C8D9E0F1';
export const MC_NONCE = 'a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6';
export const MC_CNONCE = 'f0e1d2c3b4a5f6e7d8c9b0a1f2e3d4c5';
const URI = '/RedirectionService';

function digestResponse(user: string, realm: string, pass: string, nonce: string, nc: string, cnonce: string, qop: string): string {
  return md5(`${md5(`${user}:${realm}:${pass}`)}:${nonce}:${nc}:${cnonce}:${qop}:${md5(`POST:${URI}`)}`);
}

/** MeshCommander digest login (issue #24 lengths: step 1 L=0x20, challenge L=0x4e, response L=0xb3). */
function meshDigest(): Event[] {
  const resp = digestResponse(MC_USER, MC_REALM, MC_PASSWORD, MC_NONCE, '00000002', MC_CNONCE, 'auth');
  return [
    [0, hex('13:00:00:00:00:00:00:00:00')],
    [1, hex('14:00:00:00:00:01:00:00:00:04')],
    [0, authReq(4, cat(lp(MC_USER), [0, 0], lp(URI), [0, 0, 0, 0]))],
    [1, authReply(1, 4, lp(MC_REALM, MC_NONCE, 'auth'))],
    [0, authReq(4, lp(MC_USER, MC_REALM, MC_NONCE, URI, MC_CNONCE, '00000002', resp, 'auth'))],
    [1, hex('14:00:00:00:04:00:00:00:00')],
  ];
}

const SERVER_INIT = cat(
  [0x02, 0x80, 0x01, 0xe0], // 640 x 480
  [16, 16, 0, 1, 0, 31, 0, 63, 0, 31, 11, 5, 0, 0, 0, 0], // RGB565
  u32be(16),
  ascii('Intel(r) AMT KVM'),
);

/** Issue #24, AMT 12.0.22 direct to 16994: digest, KVM, then the RFB handshake MeshCommander drives. */
export const MESHCOMMANDER_KVM_DIRECT: Conversation = {
  name: 'MeshCommander KVM direct, AMT 12.0.22 (issue #24 + amt-desktop)',
  events: [
    [0, hex('10:01:00:00:4b:56:4d:52')],
    [1, hex('11:00:00:00:01:00:0c:00:57:01:00:00:00')],
    ...meshDigest(),
    [0, hex('40:00:00:00:00:00:00:00')],
    [1, hex('41:00:00:00:00:00:00:00:52:46:42:20:30:30:33:2e:30:30:38:0a')],
    [0, ascii('RFB 003.008\n')],
    [1, hex('01 01')], // one security type: None
    [0, hex('01')], // MeshCommander always answers None
    [1, hex('00 00 00 00')], // SecurityResult OK
    [0, hex('01')], // ClientInit, shared
    [1, SERVER_INIT],
    // SetEncodings (ZRLE, RAW, DesktopSize) and a FramebufferUpdateRequest
    [0, cat([2, 0, 0, 3], u32be(16), u32be(0), u32be(0xffffff21), [3, 0, 0, 0, 0, 0, 0x02, 0x80, 0x01, 0xe0])],
    // KeyEvent 'a' down/up
    [0, hex('04 01 00 00 00 00 00 61 04 00 00 00 00 00 00 61')],
    [1, cat([0, 0, 0, 1], [0, 0, 0, 0, 0, 2, 0, 1], u32be(0), new Uint8Array(4))],
  ],
};

/** MeshCommander SOL: 0x20 with 10000/100/0/10000/100/0, 0x27 after 0x21, sequence numbers, 0x2B keep-alives. */
export const MESHCOMMANDER_SOL: Conversation = {
  name: 'MeshCommander SOL (amt-redir-ws-0.1.0.js)',
  events: [
    [0, hex('10 00 00 00 53 4f 4c 20')],
    [1, hex('11:00:00:00:01:00:0c:00:57:01:00:00:00')],
    ...meshDigest(),
    [0, cat([0x20, 0, 0, 0], u32le(1), u16le(10000), u16le(100), u16le(0), u16le(10000), u16le(100), u16le(0), u32le(0))],
    [1, cat([0x21, 0, 0, 0], u32le(0), u16le(1000), u16le(100), u16le(0), u16le(10000), u16le(100), u16le(0), [0, 0, 0])],
    [0, cat([0x27, 0, 0, 0], u32le(2), [0, 0, 0x1b, 0, 0, 0])],
    [1, seqMsg(0x29, 1, [0x03, 0x04])],
    [1, solData(0x2a, 2, ascii('\r\nhost login: '))],
    [0, solData(0x28, 3, ascii('root\r'))],
    [1, solData(0x2a, 3, ascii('root\r\nPassword: '))],
    [0, solData(0x28, 4, ascii('toor\r'))],
    [0, seqMsg(0x2b, 5)],
    [1, solData(0x2a, 4, ascii('\r\nroot@host:~# '))],
    [0, solData(0x28, 6, ascii('id\r'))],
    [1, solData(0x2a, 5, ascii('id\r\nuid=0(root) gid=0(root)\r\nroot@host:~# '))],
    [1, seqMsg(0x2b, 6)],
  ],
};

/** MeshCommander IDE-R (amt-ider-ws-0.0.1.js): open, enable on reboot, one READ(10) of a CD sector. */
export const MESHCOMMANDER_IDER: Conversation = {
  name: 'MeshCommander IDE-R (amt-ider-ws-0.0.1.js)',
  events: [
    [0, hex('10 00 00 00 49 44 45 52')],
    [1, hex('11:00:00:00:01:00:0c:00:57:01:00:00:00')],
    ...meshDigest(),
    // 0x40 OPEN_SESSION: rx_timeout 30000, tx_timeout 0, heartbeat 20000, version 1
    [0, cat([0x40, 0, 0, 0], u32le(0), u16le(30000), u16le(0), u16le(20000), u32le(1))],
    // 0x41 reply: proto 1.0, fw 12.0, read/write buffers 8192, proto features 0, IANA 343, no OEM
    [1, cat([0x41, 0, 0, 0], u32le(0), [1, 0, 12, 0, 0, 0, 0, 0], u16le(8192), u16le(8192), [0, 0, 0, 0, 0], u32le(343), [0])],
    [0, cat([0x48, 0, 0, 0], u32le(1), [3], u32le(0x09))],
    [1, cat([0x49, 0, 0, 0], u32le(1), [3], u32le(0x01))],
    // 0x50 COMMAND WRITTEN: CD-ROM (0xB0), PACKET, READ(10) LBA 16, 1 block
    [1, cat([0x50, 0, 0, 0], u32le(2), [0, 0, 0, 0], u16le(0xfffe), [0xb0, 0xa0], [0x28, 0, 0, 0, 0, 16, 0, 0, 1, 0, 0, 0])],
    // 0x54 DATA TO HOST, completed, 2048 bytes
    [
      0,
      cat(
        [0x54, 0, 0, 2],
        u32le(2),
        [0, 0x00, 0x08, 0, 0xb5, 0, 2, 0, 0x00, 0x08, 0xb0, 0x58, 0x85, 0, 3, 0, 0, 0, 0xb0, 0x50, 0, 0, 0, 0, 0, 0],
        cat(ascii('\x01CD001\x01'), new Uint8Array(2041)),
      ),
    ],
    [1, seqMsg(0x4b, 3)],
    [0, cat([0x42, 0, 0, 0], u32le(3))],
    [1, cat([0x43, 0, 0, 0], u32le(4))],
    [0, hex('12 00 00 00')],
  ],
};

export const ALL_CONVERSATIONS: Conversation[] = [
  AMTTERM18_DIGEST_OK,
  AMTTERM18_DIGEST_BAD,
  AMTTERM14_USERPASS_OK,
  AMTTERM14_USERPASS_BAD,
  MESHCOMMANDER_KVM_WS_118,
  MESHCOMMANDER_KVM_WS_120_REFUSED,
  MESHCOMMANDER_KVM_WS_KERBEROS,
  MESHCOMMANDER_KVM_DIRECT,
  MESHCOMMANDER_SOL,
  MESHCOMMANDER_IDER,
];

/** Concatenated bytes of one direction. */
export function directionBytes(c: Conversation, dir: Dir): Uint8Array {
  return cat(...c.events.filter((e) => e[0] === dir).map((e) => e[1]));
}
