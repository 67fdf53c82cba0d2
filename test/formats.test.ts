/**
 * One capture (pcaps/lab/formats-base.pcap, real clients) and its copies made by real tools:
 * nanosecond pcap (editcap -F nsecpcap), pcapng (editcap -F pcapng), gzip (gzip -9n) and a
 * VLAN-tagged copy (tcprewrite --enet-vlan=add --enet-vlan-tag=42) give identical records —
 * byte for byte for the format copies; for the VLAN copy, identical but for `vlan` (42) and the uid
 * (the VLAN is part of a session's identity).
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PCAPS } from './helpers/fixtures.js';
import { runCapture } from './helpers/run.js';

const LAB = join(PCAPS, 'lab');
const policy = join(LAB, 'amtwatch.yaml');

async function records(file: string) {
  const r = await runCapture({ inputs: [join(LAB, file)], config: policy });
  return r.lines.filter((l) => l.event_type !== 'stats');
}

describe('the same capture in every format', () => {
  it('pcap, nanosecond pcap, pcapng and gzip give identical records', async () => {
    const base = await records('formats-base.pcap');
    expect(base.filter((l) => l.event_type === 'conn').length).toBeGreaterThanOrEqual(5);
    expect(base.some((l) => l.event_type === 'http')).toBe(true);
    for (const f of ['formats-ns.pcap', 'formats.pcapng', 'formats.pcap.gz']) {
      expect(await records(f), f).toEqual(base);
    }
  });

  it('the VLAN-tagged copy differs only in vlan and uid', async () => {
    const base = await records('formats-base.pcap');
    const tagged = await records('formats-vlan.pcap');
    expect(tagged.length).toBe(base.length);
    const strip = (l: Record<string, unknown>) => {
      const { uid: _u, vlan: _v, ...rest } = l;
      return rest;
    };
    expect(tagged.map(strip)).toEqual(base.map(strip));
    for (const l of tagged) if ('vlan' in l) expect(l.vlan).toBe(42);
    for (const l of base) if ('vlan' in l) expect(l.vlan).toBeNull();
  });
});
