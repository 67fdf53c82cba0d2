/** Policy on RMCP records (--extended-ports): rogue and unprovisioned AMT devices, ping sweeps. */
import { describe, expect, it } from 'vitest';
import { parseCidr, parseIp, type Cidr } from '../../../src/core/addr.js';
import { DEFAULT_THRESHOLDS, EMPTY_POLICY, type PolicyConfig } from '../../../src/policy/config.js';
import { Correlator } from '../../../src/policy/correlate.js';
import { detectRogueDevice, detectUnprovisioned } from '../../../src/policy/detect.js';
import { NOTE_ROGUE_DEVICE, NOTE_SCAN, NOTE_UNPROVISIONED_DEVICE, type ConnRecord, type RmcpRecord } from '../../../src/records/index.js';

const T = 1_768_471_200_000_000;
const ip = (s: string) => parseIp(s)!;
const cidr = (s: string) => parseCidr(s) as Cidr;
const POLICY: PolicyConfig = { authorized: [cidr('192.0.2.5')], amtHosts: [cidr('192.0.2.10')], thresholds: DEFAULT_THRESHOLDS };

function rmcp(over: Partial<RmcpRecord>): RmcpRecord {
  return {
    event_type: 'rmcp', ts: T, uid: 'Cr', 'id.orig_h': ip('192.0.2.67'), 'id.orig_p': 623, 'id.resp_h': ip('192.0.2.99'), 'id.resp_p': 40000,
    vlan: null, message_type: 'pong', rmcp_seq: 255, tag: 0, iana: 343, amt_version: '9.5', provisioning_state: 'pre', amt_port: 0,
    dual_port: false, dash: true, partial: false, ...over,
  };
}
const ping = (to: string, ts = T) =>
  rmcp({ message_type: 'ping', 'id.orig_h': ip('192.0.2.99'), 'id.orig_p': 40000, 'id.resp_h': ip(to), 'id.resp_p': 623, ts, iana: null, amt_version: null, provisioning_state: null, amt_port: null, dual_port: null, dash: null });

describe('RMCP detections', () => {
  it('drafts: rogue names host, version and provisioning state; unprovisioned only for state pre', () => {
    const d = detectRogueDevice(rmcp({}));
    expect(d.note).toBe(NOTE_ROGUE_DEVICE);
    expect(d.msg).toBe('192.0.2.67 answered an RMCP presence ping from 192.0.2.99 as Intel AMT 9.5 (provisioning state pre, AMT port 0: not set up) but is not in the AMT inventory (rogue AMT device)');
    expect(d.sub).toBe('version=9.5,state=pre,port=0');
    expect(detectUnprovisioned(rmcp({}))?.note).toBe(NOTE_UNPROVISIONED_DEVICE);
    expect(detectUnprovisioned(rmcp({ provisioning_state: 'post', amt_port: 16992 }))).toBeNull();
    expect(detectRogueDevice(rmcp({ provisioning_state: 'post', amt_port: 16992, dual_port: true })).msg).toContain('(provisioning state post, AMT port 16992, both 16992 and 16993 open)');
  });

  it('a pong from an endpoint outside the inventory: amt.rogue_device once per endpoint; in it: nothing', () => {
    const c = new Correlator(POLICY);
    const a = c.onRmcp(rmcp({ provisioning_state: 'post', amt_port: 16992 }));
    expect(a.map((n) => n.note)).toEqual([NOTE_ROGUE_DEVICE]);
    expect(a[0]?.['id.orig_h']).toEqual(ip('192.0.2.67'));
    expect(c.onRmcp(rmcp({ provisioning_state: 'post', amt_port: 16992, ts: T + 1 }))).toEqual([]);
    expect(c.onRmcp(rmcp({ 'id.orig_h': ip('192.0.2.10'), provisioning_state: 'post' }))).toEqual([]);
  });

  it('pre-provisioning: amt.unprovisioned_device once per endpoint, inventory or not; without an inventory no rogue judgement', () => {
    const c = new Correlator(POLICY);
    expect(c.onRmcp(rmcp({})).map((n) => n.note)).toEqual([NOTE_ROGUE_DEVICE, NOTE_UNPROVISIONED_DEVICE]);
    expect(c.onRmcp(rmcp({}))).toEqual([]);
    expect(c.onRmcp(rmcp({ 'id.orig_h': ip('192.0.2.10') })).map((n) => n.note)).toEqual([NOTE_UNPROVISIONED_DEVICE]);
    const none = new Correlator(EMPTY_POLICY);
    expect(none.onRmcp(rmcp({})).map((n) => n.note)).toEqual([NOTE_UNPROVISIONED_DEVICE]);
  });

  it('only Intel pongs count: another OEM IANA, a ping, an ACK or IPMI raise nothing about devices', () => {
    const c = new Correlator(POLICY);
    expect(c.onRmcp(rmcp({ iana: 4542 }))).toEqual([]);
    expect(c.onRmcp(rmcp({ message_type: 'ack', iana: null }))).toEqual([]);
    expect(c.onRmcp(rmcp({ message_type: 'ipmi', iana: null }))).toEqual([]);
  });

  it('pings from one source to scan_hosts hosts within the window: one amt.scan, sharing the count with TCP sessions', () => {
    const c = new Correlator(POLICY);
    const notes: string[] = [];
    for (let i = 0; i < 7; i++) notes.push(...c.onRmcp(ping(`192.0.2.${20 + i}`)).map((n) => n.note));
    expect(notes).toEqual([]);
    // the 8th host comes from a TCP AMT session of the same source
    const conn = { ts: T, 'id.orig_h': ip('192.0.2.99'), 'id.resp_h': ip('192.0.2.40'), conn_state: 'SF', orig_bytes: 10, resp_bytes: 10, vlan: null } as unknown as ConnRecord;
    const n = c.onConn(conn);
    expect(n.map((x) => [x.note, x.n])).toEqual([[NOTE_SCAN, 8]]);
    expect(c.onRmcp(ping('192.0.2.41'))).toEqual([]); // once per window
    // a later window, pings alone
    const d = new Correlator(POLICY);
    const out = [];
    for (let i = 0; i < 8; i++) out.push(...d.onRmcp(ping(`192.0.2.${20 + i}`, T + i)));
    expect(out.map((x) => [x.note, x.sub, x.n, x.src])).toEqual([[NOTE_SCAN, 'hosts', 8, ip('192.0.2.99')]]);
    expect(out[0]?.msg).toBe('192.0.2.99 probed 8 hosts for AMT within 300 s, latest with an RMCP presence ping to 192.0.2.27:623 (AMT reconnaissance)');
    // repeated pings to one host are one host
    const e = new Correlator(POLICY);
    for (let i = 0; i < 20; i++) expect(e.onRmcp(ping('192.0.2.20', T + i))).toEqual([]);
  });
});
