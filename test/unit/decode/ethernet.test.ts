import { describe, expect, it } from 'vitest';
import { A_ETH_TRUNCATED } from '../../../src/core/anomaly.js';
import { LINKTYPE_ETHERNET } from '../../../src/decode/constants.js';
import { decodeEthernet } from '../../../src/decode/ethernet.js';
import { DECODE_NOT_IP, DECODE_TCP, DecodedPacket } from '../../../src/decode/packet.js';
import { ETH_ARP, ETH_IPV4, concat, ethernet } from '../../../pcaps/gen/lib/packets.js';
import { GET, dec, expectCode, sweep, v4tcp } from './helpers.js';

describe('decodeEthernet', () => {
  it('untagged IPv4: ethertype, no VLAN, offsets', () => {
    const f = ethernet({ type: ETH_IPV4, payload: v4tcp({ payload: GET }) });
    const { r, p } = dec(f, LINKTYPE_ETHERNET);
    expectCode(r, DECODE_TCP);
    expect(p.etherType).toBe(0x0800);
    expect(p.vlanCount).toBe(0);
    expect(p.vlan).toBe(-1);
    expect(p.innerVlan).toBe(-1);
    expect(p.ipOff).toBe(14);
    expect(p.snapLoss).toBe(0);
  });

  it('non-IP EtherTypes and 802.3 length frames are DECODE_NOT_IP', () => {
    const arp = dec(ethernet({ type: ETH_ARP, payload: new Uint8Array(28) }), LINKTYPE_ETHERNET);
    expectCode(arp.r, DECODE_NOT_IP);
    expect(arp.p.etherType).toBe(0x0806);
    expectCode(dec(ethernet({ type: 0x88cc, payload: new Uint8Array(30) }), LINKTYPE_ETHERNET).r, DECODE_NOT_IP); // LLDP
    // 802.3 + LLC (STP): the type field is a length < 0x0600; even 0x0800-looking payload is not IP
    const llc = dec(ethernet({ type: 0x0026, payload: concat(Uint8Array.of(0x42, 0x42, 0x03), v4tcp()) }), LINKTYPE_ETHERNET);
    expectCode(llc.r, DECODE_NOT_IP);
    expect(llc.p.etherType).toBe(0x26);
    // 0x05dc (1500) is the largest length value
    expectCode(dec(ethernet({ type: 0x05dc, payload: new Uint8Array(46) }), LINKTYPE_ETHERNET).r, DECODE_NOT_IP);
  });

  it('an exactly 14-byte frame with an IP EtherType is an IP truncation, a short one an Ethernet truncation', () => {
    const f = ethernet({ type: ETH_IPV4, payload: new Uint8Array(0), pad: false });
    expect(f.length).toBe(14);
    expect(dec(f, LINKTYPE_ETHERNET).r).toBe(-10); // decode.ipv4.truncated
    expectCode(dec(f.slice(0, 13), LINKTYPE_ETHERNET).r, -A_ETH_TRUNCATED);
    expectCode(dec(new Uint8Array(0), LINKTYPE_ETHERNET).r, -A_ETH_TRUNCATED);
  });

  it('direct call returns the network-layer offset', () => {
    const f = ethernet({ type: ETH_IPV4, payload: v4tcp() });
    const p = new DecodedPacket();
    expect(decodeEthernet(f, 0, f.length, p)).toBe(14);
    expect(decodeEthernet(f, 0, 13, p)).toBe(-A_ETH_TRUNCATED);
  });

  it('truncation sweep', () => {
    const f = ethernet({ type: ETH_IPV4, payload: v4tcp({ payload: GET }) });
    sweep(f, LINKTYPE_ETHERNET, f.length, 54);
  });
});
