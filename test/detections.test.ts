/**
 * Every detection fires on the real-client capture made for it, and none fires on background
 * traffic (the lab's web server 192.0.2.80 and workstation 192.0.2.77, whose client ports
 * sometimes are AMT port numbers).
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PCAPS } from './helpers/fixtures.js';
import { runCapture } from './helpers/run.js';

const LAB = join(PCAPS, 'lab');
const policy = join(LAB, 'amtwatch.yaml');

async function notices(file: string) {
  const r = await runCapture({ inputs: [join(LAB, file)], config: policy });
  return r.lines.filter((l) => l.event_type === 'notice') as Record<string, unknown>[];
}
const notes = (ns: Record<string, unknown>[]) => ns.map((n) => String(n.note));

describe('each detection on its real-client capture', () => {
  it('CVE-2017-5689: nmap against the vulnerable build is an attempt and a working bypass, attributed to nmap', async () => {
    const ns = await notices('nmap-cve-vulnerable.pcap');
    const a = ns.find((n) => n.note === 'amt.cve_2017_5689_attempt');
    const b = ns.find((n) => n.note === 'amt.cve_2017_5689_bypass');
    expect(a?.sub).toBe('tool=nmap');
    expect(b?.sub).toBe('tool=nmap');
    expect(b?.uid).toBe(a?.uid);
    expect(a?.['id.orig_h']).toBe('192.0.2.99');
  });

  it('CVE-2017-5689: against the patched build it is an attempt only', async () => {
    const ns = await notices('nmap-cve-patched.pcap');
    expect(notes(ns)).toContain('amt.cve_2017_5689_attempt');
    expect(notes(ns)).not.toContain('amt.cve_2017_5689_bypass');
  });

  it('vulnerable firmware, once per endpoint, with the advisories', async () => {
    const ns = (await notices('curl-digest-good.pcap')).filter((n) => n.note === 'amt.vulnerable_firmware');
    expect(ns).toHaveLength(1);
    expect(String(ns[0]?.sub)).toContain('INTEL-SA-00075');
    expect(String(ns[0]?.msg)).toContain('9.5.30.1000');
  });

  it('high-risk WS-Man operation: the console powering the host off', async () => {
    const ns = (await notices('curl-digest-good.pcap')).filter((n) => n.note === 'amt.high_risk_operation');
    expect(ns.length).toBeGreaterThanOrEqual(1);
    expect(ns[0]?.sub).toBe('CIM_PowerManagementService.RequestPowerStateChange');
  });

  it('redirection sessions (SOL by amtterm; IDE-R and KVM) and cleartext credentials (amtterm userpass)', async () => {
    const sol = await notices('amtterm-sol-good.pcap');
    expect(sol.filter((n) => n.note === 'amt.redirection_session').map((n) => n.sub)).toEqual(['SOL']);
    expect(sol.filter((n) => n.note === 'amt.cleartext_credentials').map((n) => n.sub)).toEqual(['redirection_userpass']);
    const ik = await notices('ider-kvm.pcap');
    const kinds = ik.filter((n) => n.note === 'amt.redirection_session').map((n) => n.sub);
    expect(kinds).toEqual(expect.arrayContaining(['IDER', 'KVM', 'SOL']));
  });

  it('brute force: the attacker looping wrong passwords', async () => {
    const ns = (await notices('bruteforce.pcap')).filter((n) => n.note === 'amt.auth_bruteforce');
    expect(ns).toHaveLength(1);
    expect(ns[0]?.src).toBe('192.0.2.99');
    expect(ns[0]?.n).toBe(5);
  });

  it('scan: nmap over a /28', async () => {
    const ns = (await notices('sweep.pcap')).filter((n) => n.note === 'amt.scan');
    expect(ns.map((n) => n.sub).sort()).toEqual(['failed_attempts', 'hosts']);
    expect(ns.every((n) => n.src === '192.0.2.99')).toBe(true);
  });

  it('unauthorized sessions and rogue devices', async () => {
    const ns = await notices('amt-lab.pcap');
    const unauth = ns.filter((n) => n.note === 'amt.unauthorized_session');
    expect(unauth.some((n) => (n.reasons as string[]).includes('server_not_in_inventory') && n['id.resp_h'] === '192.0.2.66')).toBe(true);
    expect(unauth.some((n) => (n.reasons as string[]).includes('client_not_authorized') && n['id.orig_h'] === '2001:db8:1::99')).toBe(true);
  });

  it('nothing fires on background traffic or decoys', async () => {
    for (const f of ['amt-lab.pcap', 'bruteforce.pcap', 'sweep.pcap']) {
      const ns = await notices(f);
      const bg = ns.filter((n) => ['192.0.2.80', '192.0.2.77'].includes(String(n['id.orig_h'])) || ['192.0.2.80', '192.0.2.77'].includes(String(n['id.resp_h'])));
      expect(bg, f).toEqual([]);
    }
    // and the authorized console's normal work raises no unauthorized-session notice
    const good = await notices('curl-digest-good.pcap');
    expect(notes(good)).not.toContain('amt.unauthorized_session');
  });
});
