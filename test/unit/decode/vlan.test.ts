import { describe, expect, it } from 'vitest';
import { A_VLAN_TOO_MANY_LAYERS, A_VLAN_TRUNCATED } from '../../../src/core/anomaly.js';
import { MAX_VLAN_DEPTH } from '../../../src/core/limits.js';
import { LINKTYPE_ETHERNET } from '../../../src/decode/constants.js';
import { DECODE_NOT_IP, DECODE_TCP } from '../../../src/decode/packet.js';
import { isVlanTpid } from '../../../src/decode/vlan.js';
import { ETH_ARP, ETH_IPV4, ETH_IPV6, TPID_8021AD, ethernet, type VlanTag } from '../../../pcaps/gen/lib/packets.js';
import { GET, dec, expectCode, sweep, v4tcp, v6tcp } from './helpers.js';

describe('decodeVlan', () => {
  it('single 802.1Q tag (vid 100, pcp 5)', () => {
    const f = ethernet({ type: ETH_IPV4, vlans: [{ vid: 100, pcp: 5 }], payload: v4tcp({ payload: GET }) });
    const { r, p } = dec(f, LINKTYPE_ETHERNET);
    expectCode(r, DECODE_TCP);
    expect(p.vlanCount).toBe(1);
    expect(p.vlan).toBe(100);
    expect(p.innerVlan).toBe(-1);
    expect(p.ipOff).toBe(18);
    expect(p.tcpOff).toBe(38);
    expect(p.dstPort).toBe(16992);
  });

  it('QinQ 0x88a8 (300) + 0x8100 (100), IPv6 inside', () => {
    const f = ethernet({ type: ETH_IPV6, vlans: [{ tpid: TPID_8021AD, vid: 300 }, { vid: 100 }], payload: v6tcp({ payload: GET }) });
    const { r, p } = dec(f, LINKTYPE_ETHERNET);
    expectCode(r, DECODE_TCP);
    expect(p.vlanCount).toBe(2);
    expect(p.vlan).toBe(300);
    expect(p.innerVlan).toBe(100);
    expect(p.ipOff).toBe(22);
    expect(p.ipVersion).toBe(6);
    expect(p.etherType).toBe(0x86dd);
  });

  it('0x9100 outer tag, vid 4095 and 0, DEI/PCP bits ignored', () => {
    const f = ethernet({ type: ETH_IPV4, vlans: [{ tpid: 0x9100, vid: 4095, pcp: 7 }, { vid: 0 }], payload: v4tcp() });
    const { r, p } = dec(f, LINKTYPE_ETHERNET);
    expectCode(r, DECODE_TCP);
    expect(p.vlan).toBe(4095);
    expect(p.innerVlan).toBe(0);
  });

  it(`${MAX_VLAN_DEPTH} tags decode, one more is too many`, () => {
    const tags: VlanTag[] = [{ tpid: TPID_8021AD, vid: 10 }, { vid: 20 }, { vid: 30 }];
    const ok = dec(ethernet({ type: ETH_IPV4, vlans: tags.slice(0, MAX_VLAN_DEPTH), payload: v4tcp() }), LINKTYPE_ETHERNET);
    expectCode(ok.r, DECODE_TCP);
    expect(ok.p.vlanCount).toBe(3);
    expect(ok.p.vlan).toBe(10);
    expect(ok.p.innerVlan).toBe(20);
    const four = dec(ethernet({ type: ETH_IPV4, vlans: [...tags, { vid: 40 }], payload: v4tcp() }), LINKTYPE_ETHERNET);
    expectCode(four.r, -A_VLAN_TOO_MANY_LAYERS);
    const many = dec(ethernet({ type: ETH_IPV4, vlans: new Array(20).fill({ vid: 1 }), payload: v4tcp() }), LINKTYPE_ETHERNET);
    expectCode(many.r, -A_VLAN_TOO_MANY_LAYERS);
  });

  it('tag cut short; tagged non-IP', () => {
    const f = ethernet({ type: ETH_IPV4, vlans: [{ vid: 100 }], payload: new Uint8Array(0), pad: false });
    expectCode(dec(f.slice(0, 17), LINKTYPE_ETHERNET).r, -A_VLAN_TRUNCATED);
    expectCode(dec(f.slice(0, 14), LINKTYPE_ETHERNET).r, -A_VLAN_TRUNCATED);
    const arp = dec(ethernet({ type: ETH_ARP, vlans: [{ vid: 7 }], payload: new Uint8Array(28) }), LINKTYPE_ETHERNET);
    expectCode(arp.r, DECODE_NOT_IP);
    expect(arp.p.vlan).toBe(7);
  });

  it('isVlanTpid', () => {
    expect([0x8100, 0x88a8, 0x9100, 0x0800, 0x86dd].map(isVlanTpid)).toEqual([true, true, true, false, false]);
  });

  it('truncation sweep (QinQ)', () => {
    const f = ethernet({ type: ETH_IPV4, vlans: [{ tpid: TPID_8021AD, vid: 300 }, { vid: 100 }], payload: v4tcp({ payload: GET }) });
    sweep(f, LINKTYPE_ETHERNET, f.length, 62);
  });
});
