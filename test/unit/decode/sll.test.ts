import { describe, expect, it } from 'vitest';
import { A_SLL2_TRUNCATED, A_SLL_TRUNCATED, A_VLAN_TOO_MANY_LAYERS } from '../../../src/core/anomaly.js';
import { LINKTYPE_LINUX_SLL, LINKTYPE_LINUX_SLL2 } from '../../../src/decode/constants.js';
import { DECODE_NOT_IP, DECODE_TCP } from '../../../src/decode/packet.js';
import { ETH_ARP, ETH_IPV4, ETH_IPV6, concat, sll, sll2 } from '../../../pcaps/gen/lib/packets.js';
import { GET, dec, expectCode, sweep, v4tcp, v6tcp } from './helpers.js';

/** A VLAN tag as kept in a cooked capture's payload: TCI + inner EtherType. */
const tag = (vid: number, inner: number): Uint8Array => Uint8Array.of(vid >> 8, vid & 0xff, inner >> 8, inner & 0xff);

describe('decodeSll', () => {
  it('IPv4 and IPv6 over SLL', () => {
    const a = dec(sll({ protocol: ETH_IPV4, payload: v4tcp({ payload: GET, seq: 0xdeadbeef }) }), LINKTYPE_LINUX_SLL);
    expectCode(a.r, DECODE_TCP);
    expect(a.p.ipOff).toBe(16);
    expect(a.p.tcpOff).toBe(36);
    expect(a.p.seq).toBe(0xdeadbeef);
    expect(a.p.payloadLen).toBe(GET.length);
    const b = dec(sll({ protocol: ETH_IPV6, packetType: 4, payload: v6tcp({ payload: GET }) }), LINKTYPE_LINUX_SLL);
    expectCode(b.r, DECODE_TCP);
    expect(b.p.ipOff).toBe(16);
    expect(b.p.ipVersion).toBe(6);
    expect(b.p.src6Off).toBe(24);
  });

  it('protocol 0x8100: tags in the payload are walked', () => {
    const { r, p } = dec(sll({ protocol: 0x8100, payload: concat(tag(100, ETH_IPV4), v4tcp({ payload: GET })) }), LINKTYPE_LINUX_SLL);
    expectCode(r, DECODE_TCP);
    expect(p.vlan).toBe(100);
    expect(p.vlanCount).toBe(1);
    expect(p.ipOff).toBe(20);
    const deep = sll({ protocol: 0x88a8, payload: concat(tag(1, 0x8100), tag(2, 0x8100), tag(3, 0x8100), tag(4, ETH_IPV4), v4tcp()) });
    expectCode(dec(deep, LINKTYPE_LINUX_SLL).r, -A_VLAN_TOO_MANY_LAYERS);
  });

  it('non-IP protocols (ARP, 802.2 LLC = 0x0004) and short headers', () => {
    expectCode(dec(sll({ protocol: ETH_ARP, payload: new Uint8Array(28) }), LINKTYPE_LINUX_SLL).r, DECODE_NOT_IP);
    expectCode(dec(sll({ protocol: 0x0004, payload: v4tcp() }), LINKTYPE_LINUX_SLL).r, DECODE_NOT_IP);
    expectCode(dec(new Uint8Array(15), LINKTYPE_LINUX_SLL).r, -A_SLL_TRUNCATED);
  });

  it('truncation sweep', () => {
    const f = sll({ protocol: 0x8100, payload: concat(tag(100, ETH_IPV4), v4tcp({ payload: GET })) });
    sweep(f, LINKTYPE_LINUX_SLL, f.length, 16 + 4 + 40);
  });
});

describe('decodeSll2', () => {
  it('IPv4 and IPv6 over SLL2', () => {
    const a = dec(sll2({ protocol: ETH_IPV4, payload: v4tcp({ payload: GET }) }), LINKTYPE_LINUX_SLL2);
    expectCode(a.r, DECODE_TCP);
    expect(a.p.ipOff).toBe(20);
    expect(a.p.tcpOff).toBe(40);
    expect(a.p.srcPort).toBe(50001);
    expect(a.p.payloadLen).toBe(GET.length);
    const b = dec(sll2({ protocol: ETH_IPV6, payload: v6tcp({ payload: GET }) }), LINKTYPE_LINUX_SLL2);
    expectCode(b.r, DECODE_TCP);
    expect(b.p.ipOff).toBe(20);
    expect(b.p.dst6Off).toBe(44);
  });

  it('protocol 0x8100 then QinQ inside', () => {
    const f = sll2({ protocol: 0x88a8, payload: concat(tag(300, 0x8100), tag(100, ETH_IPV6), v6tcp()) });
    const { r, p } = dec(f, LINKTYPE_LINUX_SLL2);
    expectCode(r, DECODE_TCP);
    expect(p.vlan).toBe(300);
    expect(p.innerVlan).toBe(100);
    expect(p.ipOff).toBe(28);
  });

  it('non-IP and short', () => {
    expectCode(dec(sll2({ protocol: ETH_ARP, payload: new Uint8Array(28) }), LINKTYPE_LINUX_SLL2).r, DECODE_NOT_IP);
    expectCode(dec(new Uint8Array(19), LINKTYPE_LINUX_SLL2).r, -A_SLL2_TRUNCATED);
  });

  it('truncation sweep', () => {
    const f = sll2({ protocol: ETH_IPV6, payload: v6tcp({ payload: GET }) });
    sweep(f, LINKTYPE_LINUX_SLL2, f.length, 20 + 60);
  });
});
