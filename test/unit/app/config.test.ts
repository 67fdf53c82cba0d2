import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildReadConfig, loadPolicyFile } from '../../../src/app/config.js';
import { formatIp } from '../../../src/core/addr.js';
import { DEFAULT_THRESHOLDS } from '../../../src/policy/config.js';

const dir = mkdtempSync(join(tmpdir(), 'amtw-config-'));
const file = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};
const env = { stdoutIsTTY: false, stderrIsTTY: false, noColor: false };

describe('policy file', () => {
  it('reads authorized consoles and the inventory', () => {
    const p = loadPolicyFile(file('ok.yaml', '# consoles\nauthorized:\n  - 192.0.2.5\n  - 2001:db8:1::/64\namt_hosts: [192.0.2.0/28]\n'));
    expect(p.authorized.map((c) => `${formatIp(c.addr)}/${c.prefix}`)).toEqual(['192.0.2.5/32', '2001:db8:1::/64']);
    expect(p.amtHosts?.map((c) => c.text)).toEqual(['192.0.2.0/28']);
    expect(p.thresholds).toEqual(DEFAULT_THRESHOLDS);
    const t = loadPolicyFile(file('t.yaml', 'thresholds:\n  bruteforce_failures: 3\n  scan_window: 60\n'));
    expect(t.thresholds).toEqual({ ...DEFAULT_THRESHOLDS, bruteforce_failures: 3, scan_window: 60 });
  });
  it('an empty file is an empty policy', () => {
    expect(loadPolicyFile(file('empty.yaml', ''))).toEqual({ authorized: [], amtHosts: null, thresholds: DEFAULT_THRESHOLDS });
  });
  const bad: [string, string, RegExp][] = [
    ['unknown.yaml', 'authorised: [192.0.2.5]\n', /unknown\.yaml: authorised: unknown field \(expected one of: authorized, amt_hosts, thresholds\)$/],
    ['thr.yaml', 'thresholds: {scan_hosts: 0}\n', /thr\.yaml: thresholds\.scan_hosts: must be a whole number from 1 to 1000000000$/],
    ['thr2.yaml', 'thresholds: {scan_host: 3}\n', /thr2\.yaml: thresholds\.scan_host: unknown field/],
    ['badip.yaml', 'authorized:\n  - 192.0.2.5\n  - 192.0.2.300\n', /badip\.yaml: authorized\[1\]: '192\.0\.2\.300' is not an IPv4 or IPv6 address$/],
    ['badprefix.yaml', 'amt_hosts: [10.0.0.0/40]\n', /badprefix\.yaml: amt_hosts\[0\]: '10\.0\.0\.0\/40' has a prefix length over 32$/],
    ['number.yaml', 'authorized: [12]\n', /number\.yaml: authorized\[0\]: must be an address or CIDR prefix as text, not number$/],
    ['map.yaml', 'authorized: {a: 1}\n', /map\.yaml: authorized: must be a list of addresses or CIDR prefixes$/],
    ['list.yaml', '- 192.0.2.5\n', /list\.yaml: \(top level\): must be a mapping/],
    ['syntax.yaml', 'authorized: [192.0.2.5\nfoo: bar\n', /syntax\.yaml: line \d+, column \d+: /],
    ['dup.yaml', 'authorized: []\nauthorized: []\n', /dup\.yaml: line 2, column 1: /],
  ];
  for (const [name, text, re] of bad) {
    it(`rejects ${name} with one line naming the field`, () => {
      let err: unknown;
      try {
        loadPolicyFile(file(name, text));
      } catch (e) {
        err = e;
      }
      expect((err as { code: string }).code).toBe('AMTW_CONFIG');
      expect((err as { exitCode: number }).exitCode).toBe(2);
      expect((err as Error).message).toMatch(re);
      expect((err as Error).message).not.toContain('\n');
    });
  }
  it('a file without end is refused after MAX_POLICY_FILE_BYTES, not read into memory', () => {
    expect(() => loadPolicyFile('/dev/zero')).toThrow(/^\/dev\/zero: the policy file is larger than 1048576 bytes$/);
  });

  it('a missing file says so', () => {
    expect(() => loadPolicyFile(join(dir, 'nope.yaml'))).toThrow(/nope\.yaml: cannot read the policy file: no such file$/);
  });
});

describe('buildReadConfig', () => {
  it('flags add to the file; format defaults by terminal', () => {
    const cfg = buildReadConfig(
      { inputs: ['x.pcap'], config: file('p.yaml', 'authorized: [192.0.2.5]\n'), authorized: ['192.0.2.6,192.0.2.7'], amtHosts: ['192.0.2.10'] },
      env,
    );
    expect(cfg.policy.authorized.map((c) => c.text)).toEqual(['192.0.2.5', '192.0.2.6', '192.0.2.7']);
    expect(cfg.policy.amtHosts?.map((c) => c.text)).toEqual(['192.0.2.10']);
    expect(cfg.format).toBe('ndjson');
    expect(buildReadConfig({ inputs: ['x'] }, { ...env, stdoutIsTTY: true }).format).toBe('text');
    expect(buildReadConfig({ inputs: ['x'], output: 'o.txt' }, { ...env, stdoutIsTTY: true }).format).toBe('ndjson');
    expect(cfg.policySource).toMatch(/p\.yaml \+ flags$/);
  });
  it('a bad --authorized value is a usage error naming the flag', () => {
    expect(() => buildReadConfig({ inputs: ['x'], authorized: ['192.0.2.5,nonsense'] }, env)).toThrow(
      "--authorized: 'nonsense' is not an IPv4 or IPv6 address",
    );
  });
  it('no inputs is a usage error', () => {
    expect(() => buildReadConfig({ inputs: [] }, env)).toThrow(/no input/);
  });
});
