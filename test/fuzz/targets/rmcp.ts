/**
 * Fuzz targets for UDP 623 (--extended-ports): the UDP decoder (whole frames through decodePacket
 * with UDP decoding on), the RMCP/ASF parser, and the per-datagram RMCP analyzer with its bounded
 * pairing table. Seeds: the real pong payloads of amt-protocol.md 5, nmap's ASF ping and IPMI probe,
 * MeshCentral's ping, an RMCP ACK, and the frames of pcaps/synthetic/rmcp.pcap.
 */
import { RmcpAnalyzer } from '../../../src/analyzers/rmcp/analyzer.js';
import { newRmcpMessage, parseRmcp, RMCP_OK } from '../../../src/analyzers/rmcp/parser.js';
import { DEFAULT_LIMITS } from '../../../src/core/limits.js';
import { decodePacket } from '../../../src/decode/link.js';
import { DECODE_UDP, DecodedPacket } from '../../../src/decode/packet.js';
import type { RmcpRecord } from '../../../src/records/index.js';
import { buildFixtures } from '../../../pcaps/gen/synthetic.js';
import type { FuzzTarget } from '../types.js';

const hex = (h: string): Uint8Array => Uint8Array.from(Buffer.from(h.replace(/\s+/g, ''), 'hex'));
const PONG = (data: string) => hex(`0600ff06 000011be 40000010 ${data}`);
const MESSAGES: Uint8Array[] = [
  PONG('00000157 00009500 00200000 00000000'),
  PONG('00000157 42609502 00200000 00000000'),
  PONG('00000157 0000b000 00200000 00000000'),
  PONG('00000157 0000b800 00200000 00000000'),
  PONG('00000157 42610002 00201001 00000000'),
  hex('0600ff06000011be80000000'),
  hex('06000006000011BE80010000'),
  hex('06000086'),
  hex('0600ff07000000000000000000092018c88100388e04b5'),
];

const rmcpFrames = (): Uint8Array[] => (buildFixtures().find((f) => f.name === 'rmcp.pcap')?.frames ?? []).map((r) => r.data);

export const targets: FuzzTarget[] = [
  {
    name: 'decode.udp',
    seeds: rmcpFrames(),
    run(input: Uint8Array): void {
      const p = new DecodedPacket();
      const r = decodePacket(input, 0, input.length, input.length, 1, p, true);
      if (r === DECODE_UDP) {
        if (p.payloadOff < 0 || p.payloadOff + p.payloadCapLen > input.length) throw new Error('UDP payload outside the frame');
        if (p.payloadCapLen > p.payloadLen) throw new Error('more captured than on the wire');
      }
      // snapped: the same frame claimed to be longer on the wire
      decodePacket(input, 0, input.length, input.length + 100, 1, p, true);
    },
  },
  {
    name: 'rmcp.parse',
    seeds: MESSAGES,
    run(input: Uint8Array): void {
      const m = newRmcpMessage();
      for (const wire of [input.length, input.length + 8]) {
        const r = parseRmcp(input, 0, input.length, wire, m);
        if (r !== RMCP_OK) continue;
        if (m.oemIana !== 343 && (m.amtVersion !== null || m.amtPort !== -1 || m.provisioning !== -1)) throw new Error('AMT fields without Intel IANA');
        if (m.messageType === 'ipmi' && m.asfType !== -1) throw new Error('IPMI read as ASF');
        if (m.provisioning > 3 || m.amtPort > 0xffff) throw new Error('field out of range');
      }
    },
  },
  {
    name: 'rmcp.analyzer',
    // [dir][len][bytes]...: dir bit 0 = from the AMT side, bits 1-3 = which of 8 hosts
    seeds: [Uint8Array.from(MESSAGES.flatMap((m, i) => [i & 1 ? 1 : 0, m.length, ...m]))],
    run(input: Uint8Array): void {
      let records = 0;
      let anomalies = 0;
      const a = new RmcpAnalyzer({
        limits: { ...DEFAULT_LIMITS, maxRmcpPending: 4 },
        emit: (r: RmcpRecord) => {
          records++;
          if (r.uid === '') throw new Error('empty uid');
        },
        anomaly: () => void anomalies++,
        newUid: (k, ts) => `U${k}${ts}`,
      });
      let p = 0;
      let ts = 0;
      let datagrams = 0;
      while (p + 2 <= input.length) {
        const ctl = input[p] as number;
        const len = input[p + 1] as number;
        const e = Math.min(input.length, p + 2 + len);
        const host = Uint8Array.of(192, 0, 2, 10 + ((ctl >> 1) & 7));
        const me = Uint8Array.of(198, 51, 100, 50);
        const amt = (ctl & 1) === 1;
        a.datagram({ src: amt ? host : me, srcPort: amt ? 623 : 40000, dst: amt ? me : host, dstPort: amt ? 40000 : 623, vlan: null }, input, p + 2, e, e - p - 2, (ts += 1000));
        datagrams++;
        p = e;
      }
      if (records + anomalies < datagrams) throw new Error('a datagram left neither a record nor an anomaly');
    },
  },
];
