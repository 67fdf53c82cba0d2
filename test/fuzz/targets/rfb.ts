/**
 * Fuzz target for the plain-RFB analyzer on TCP 5900 (--extended-ports): whole sessions split into
 * two directions (and gaps), checking that it never throws, emits at most one record, and emits one
 * only for a session it identified as the AMT KVM server. Seeds: RFB 3.3/3.7/3.8 handshakes with VNC
 * auth and None, the AMT KVM desktop name and another one.
 */
import { createRfbAnalyzer } from '../../../src/analyzers/rfb/analyzer.js';
import type { AnalyzerHost } from '../../../src/analyzers/types.js';
import { DEFAULT_LIMITS } from '../../../src/core/limits.js';
import { emptyConnFacts } from '../../../src/records/index.js';
import type { FuzzTarget } from '../types.js';

const b = (s: string) => Array.from(Buffer.from(s, 'latin1'));
const u32 = (v: number) => [v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255];
const si = (name: string) => [0, 64, 0, 48, 32, 24, 0, 1, 0, 255, 0, 255, 0, 255, 16, 8, 0, 0, 0, 0, ...u32(name.length), ...b(name)];

/** Input format: records of [ctl][len lo][len hi][bytes]; ctl bit 0 = direction, bit 7 = a gap of len. */
function enc(steps: [number, number[]][]): Uint8Array {
  return Uint8Array.from(steps.flatMap(([d, x]) => [d, x.length & 255, x.length >> 8, ...x]));
}
const SEEDS = [
  enc([[1, b('RFB 003.008\n')], [0, b('RFB 003.008\n')], [1, [1, 2]], [0, [2]], [1, Array(16).fill(7)], [0, Array(16).fill(9)], [1, u32(0)], [0, [1]], [1, si('Intel(r) AMT KVM')]]),
  enc([[1, b('RFB 004.000\n')], [0, b('RFB 003.008\n')], [1, [2, 1, 2]], [0, [1]], [1, u32(0)], [1, si('Intel(r) AMT KVM')]]),
  enc([[1, b('RFB 003.008\n')], [0, b('RFB 003.003\n')], [1, [...u32(2), ...Array(16).fill(1)]], [0, Array(16).fill(2)], [1, u32(0)], [0, [1]], [1, si('Intel(r) AMT KVM')]]),
  enc([[1, b('RFB 003.007\n')], [0, b('RFB 003.007\n')], [1, [1, 1]], [0, [1]], [1, si('ws77:1 (alice)')]]),
  enc([[1, b('RFB 003.008\n')], [0, b('RFB 003.008\n')], [1, [1, 2]], [0, [2]], [1, Array(16).fill(7)], [0, Array(16).fill(9)], [1, [...u32(1), ...u32(6), ...b('failed')]]]),
];

export const targets: FuzzTarget[] = [
  {
    name: 'rfb.analyzer',
    seeds: SEEDS,
    run(input: Uint8Array): void {
      let records = 0;
      let identified = 0;
      const host: AnalyzerHost = {
        session: { uid: 'CFUZZ', startTs: 0, origH: new Uint8Array(4), origP: 1, respH: new Uint8Array(4), respP: 5900, vlan: null },
        limits: { ...DEFAULT_LIMITS, maxFieldChars: 32 },
        options: { extract: false },
        facts: emptyConnFacts(),
        emit: () => void records++,
        anomaly: () => undefined,
        amtIdentified: () => void identified++,
      };
      const a = createRfbAnalyzer(host);
      let p = 0;
      let ts = 0;
      while (p < input.length) {
        if (input.length - p < 3) {
          a.data(0, input, p, input.length, ts);
          break;
        }
        const ctl = input[p] as number;
        const len = (input[p + 1] as number) | ((input[p + 2] as number) << 8);
        p += 3;
        ts += 10;
        const dir = (ctl & 1) as 0 | 1;
        if (ctl & 0x80) {
          a.gap(dir, len, ts);
          continue;
        }
        const e = Math.min(input.length, p + len);
        a.data(dir, input, p, e, ts);
        p = e;
      }
      a.end(ts);
      if (identified > 1) throw new Error('identified twice');
      if (records !== identified) throw new Error(`records ${records} but identified ${identified}`);
      if (identified === 1 && host.facts.redirection !== 'KVM') throw new Error('identified without the KVM fact');
    },
  },
];
