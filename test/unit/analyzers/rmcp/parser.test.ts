/**
 * The RMCP/ASF parser on the real presence-pong payloads of amt-protocol.md 5 (DeathMetal's dm_rockso
 * captures), IPMI (class 0x07), ACKs, and every truncation and length lie.
 */
import { describe, expect, it } from 'vitest';
import {
  A_RMCP_ASF_BAD_LENGTH,
  A_RMCP_ASF_TRUNCATED,
  A_RMCP_BAD_VERSION,
  A_RMCP_PONG_SHORT,
  A_RMCP_TRUNCATED,
} from '../../../../src/analyzers/rmcp/constants.js';
import { amtVersionOf, newRmcpMessage, parseRmcp, provisioningStateName, RMCP_OK, type RmcpMessage } from '../../../../src/analyzers/rmcp/parser.js';

const hex = (h: string): Uint8Array => Uint8Array.from(Buffer.from(h.replace(/\s+/g, ''), 'hex'));
const PONG_HDR = (seq: number, tag: number) => `0600${seq.toString(16).padStart(2, '0')}06 000011be 40${tag.toString(16).padStart(2, '0')}0010`;
/** Real pong data (the 16 bytes after the ASF header), amt-protocol.md 5. */
const REAL = {
  '9.5 unprovisioned': '00000157 00009500 00200000 00000000',
  '9.5 provisioned': '00000157 42609502 00200000 00000000',
  '11.0': '00000157 0000b000 00200000 00000000',
  '11.8': '00000157 0000b800 00200000 00000000',
};
const MESHCENTRAL_PING = hex('06000006000011BE80000000');
const NMAP_PING = hex('0600ff06000011be80000000');
const NMAP_IPMI = hex('0600ff07000000000000000000092018c88100388e04b5');

function parse(b: Uint8Array, wireLen = b.length): { r: number; m: RmcpMessage } {
  const m = newRmcpMessage();
  return { r: parseRmcp(b, 0, b.length, wireLen, m), m };
}

describe('parseRmcp', () => {
  it('presence pings: MeshCentral (sequence 0, tag) and nmap (sequence 0xff)', () => {
    const a = parse(MESHCENTRAL_PING);
    expect(a.r).toBe(RMCP_OK);
    expect([a.m.messageType, a.m.seq, a.m.tag, a.m.asfIana, a.m.dataLen, a.m.partial, a.m.anomaly]).toEqual(['ping', 0, 0, 4542, 0, false, 0]);
    const b = parse(NMAP_PING);
    expect([b.m.messageType, b.m.seq]).toEqual(['ping', 255]);
  });

  it('the real pong payloads: IANA 343, AMT port, version, provisioning state, dual-port and DASH bits', () => {
    const want: Record<keyof typeof REAL, [string, number, string | null, number, boolean, boolean]> = {
      '9.5 unprovisioned': ['9.5', 0, 'pre', 0, false, true],
      '9.5 provisioned': ['9.5', 16992, 'post', 2, false, true],
      '11.0': ['11.0', 0, 'pre', 0, false, true],
      '11.8': ['11.8', 0, 'pre', 0, false, true],
    };
    for (const [k, data] of Object.entries(REAL) as [keyof typeof REAL, string][]) {
      const { r, m } = parse(hex(PONG_HDR(0xff, 5) + data));
      expect(r, k).toBe(RMCP_OK);
      const [ver, port, state, st, dual, dash] = want[k];
      expect([m.messageType, m.tag, m.oemIana, m.amtVersion, m.amtPort, provisioningStateName(m.provisioning), m.provisioning, m.dualPort === 1, m.dash === 1, m.partial, m.anomaly], k).toEqual([
        'pong', 5, 343, ver, port, state, st, dual, dash, false, 0,
      ]);
    }
  });

  it('dual-port bit, in-provisioning state, and a version byte of 0 with major/minor in the extended bytes (AMT 16+)', () => {
    const { m } = parse(hex(PONG_HDR(0, 1) + '00000157 42610006 00201001 00000000'));
    expect([m.amtPort, m.amtVersion, provisioningStateName(m.provisioning), m.dualPort]).toEqual([16993, '16.1', 'post', 1]);
    const inProv = parse(hex(PONG_HDR(0, 1) + '00000157 0000b801 00200000 00000000')).m;
    expect(provisioningStateName(inProv.provisioning)).toBe('in');
    expect(parse(hex(PONG_HDR(0, 1) + '00000157 00000000 00200000 00000000')).m.amtVersion).toBeNull();
    expect(amtVersionOf(0xb8, -1, -1)).toBe('11.8');
    expect(amtVersionOf(0, 18, 2)).toBe('18.2');
  });

  it('a pong from another vendor (OEM IANA not 343) keeps its IANA and no AMT fields', () => {
    const { m } = parse(hex(PONG_HDR(0xff, 0) + '000011be 42609502 00200000 00000000'));
    expect([m.messageType, m.oemIana, m.amtVersion, m.amtPort, m.provisioning, m.dualPort, m.dash]).toEqual(['pong', 4542, null, -1, -1, -1, 1]);
  });

  it('IPMI (class 0x07) is recognised and never read as ASF, even when its bytes spell a pong at the ASF offsets', () => {
    expect(parse(NMAP_IPMI).m.messageType).toBe('ipmi');
    const mimic = parse(hex('0600ff07 000011be 40000010' + REAL['9.5 provisioned'])).m;
    expect([mimic.messageType, mimic.asfIana, mimic.asfType, mimic.tag, mimic.oemIana, mimic.amtVersion]).toEqual(['ipmi', -1, -1, -1, -1, null]);
  });

  it('RMCP ACK (class 0x86), OEM class 0x08, other classes, other ASF types, an OEM ASF IANA', () => {
    expect([parse(hex('06000086')).m.messageType, parse(hex('06000086')).m.seq]).toEqual(['ack', 0]);
    expect(parse(hex('0600ff08 00000000')).m.messageType).toBe('oem');
    expect(parse(hex('0600ff1f 00000000')).m.messageType).toBe('unknown');
    expect(parse(hex('0600ff06 000011be 10000000')).m.messageType).toBe('reset');
    expect(parse(hex('0600ff06 000011be 81000000')).m.messageType).toBe('capabilities_request');
    expect(parse(hex('0600ff06 000011be 77000000')).m.messageType).toBe('asf_0x77');
    expect(parse(hex('0600ff06 00000157 80000000')).m.messageType).toBe('asf_oem');
  });

  it('not RMCP at all: under 4 bytes, or a version byte other than 0x06 (no record should be made)', () => {
    for (const n of [0, 1, 2, 3]) expect(parse(MESHCENTRAL_PING.subarray(0, n)).r).toBe(-A_RMCP_TRUNCATED);
    expect(parse(hex('0500ff06 000011be 80000000')).r).toBe(-A_RMCP_BAD_VERSION);
    expect(parse(hex('474554202f')).r).toBe(-A_RMCP_BAD_VERSION);
  });

  it('truncation sweep over a real pong: never throws; the ASF header cut is asf_truncated, the data cut is asf_bad_length; fields only from bytes there', () => {
    const pong = hex(PONG_HDR(0xff, 2) + REAL['9.5 provisioned']);
    for (let n = 0; n <= pong.length; n++) {
      const cut = pong.subarray(0, n);
      let res!: { r: number; m: RmcpMessage };
      expect(() => {
        res = parse(cut);
      }).not.toThrow();
      const { r, m } = res;
      if (n < 4) {
        expect(r, `prefix ${n}`).toBe(-A_RMCP_TRUNCATED);
        continue;
      }
      expect(r, `prefix ${n}`).toBe(RMCP_OK);
      if (n === pong.length) {
        expect([m.partial, m.anomaly]).toEqual([false, 0]);
        continue;
      }
      expect(m.partial, `prefix ${n}`).toBe(true);
      expect(m.anomaly, `prefix ${n}`).toBe(n < 12 ? A_RMCP_ASF_TRUNCATED : A_RMCP_ASF_BAD_LENGTH);
      if (n >= 9) expect(m.messageType).toBe('pong');
      expect(m.oemIana === 343, `prefix ${n}`).toBe(n >= 16);
      expect(m.amtPort === 16992, `prefix ${n}`).toBe(n >= 18);
      expect(m.amtVersion === '9.5', `prefix ${n}`).toBe(n >= 19);
      expect(m.provisioning === 2, `prefix ${n}`).toBe(n >= 20);
      expect(m.dash === 1, `prefix ${n}`).toBe(n >= 22);
    }
  });

  it('a snapped capture (wire length larger than the bytes kept) is partial, not an anomaly', () => {
    const pong = hex(PONG_HDR(0xff, 2) + REAL['9.5 provisioned']);
    for (const n of [8, 14, 20]) {
      const { r, m } = parse(pong.subarray(0, n), pong.length);
      expect([r, m.partial, m.anomaly], `snapped at ${n}`).toEqual([RMCP_OK, true, 0]);
    }
  });

  it('lying lengths: data length 0xff past the datagram, a pong with 4 data bytes, bytes after the data (ignored)', () => {
    const over = parse(hex('0600ff06 000011be 400000ff' + REAL['9.5 provisioned']));
    expect([over.r, over.m.anomaly, over.m.partial, over.m.amtVersion]).toEqual([RMCP_OK, A_RMCP_ASF_BAD_LENGTH, true, '9.5']);
    const short = parse(hex('0600ff06 000011be 40000004 00000157'));
    expect([short.m.anomaly, short.m.partial, short.m.oemIana, short.m.amtVersion, short.m.amtPort]).toEqual([A_RMCP_PONG_SHORT, true, 343, null, -1]);
    // data length 8: only the OEM-defined bytes count, the rest of the datagram is not the message's
    const eight = parse(hex('0600ff06 000011be 40000008' + REAL['9.5 provisioned']));
    expect([eight.m.anomaly, eight.m.amtVersion, eight.m.dash]).toEqual([A_RMCP_PONG_SHORT, '9.5', -1]);
    const trailing = parse(hex(PONG_HDR(0xff, 0) + REAL['11.8'] + 'deadbeef'));
    expect([trailing.m.anomaly, trailing.m.partial, trailing.m.amtVersion]).toEqual([0, false, '11.8']);
  });

  it('bounds: a view inside a larger buffer never reads past `end`', () => {
    const pong = hex(PONG_HDR(0xff, 0) + REAL['11.8']);
    const big = new Uint8Array(100).fill(0xaa);
    big.set(pong.subarray(0, 16), 10); // cut after the OEM IANA; 0xaa follows in the buffer
    const m = newRmcpMessage();
    expect(parseRmcp(big, 10, 26, 16, m)).toBe(RMCP_OK);
    expect([m.oemIana, m.amtPort, m.amtVersion, m.anomaly]).toEqual([343, -1, null, A_RMCP_ASF_BAD_LENGTH]);
  });
});
