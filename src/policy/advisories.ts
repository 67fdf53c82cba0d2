/**
 * Intel AMT security advisories that a firmware version alone exposes (../shared/amt-protocol.md
 * sections 3.2 and 3.4, from Greenbone/Tenable version tables). A version is affected by an
 * advisory when it falls in one of the advisory's branches and is below that branch's first fixed
 * build (no fixed build: the whole branch is affected).
 */

export interface Branch {
  /** Inclusive major.minor range of the branch. */
  readonly from: readonly [number, number];
  readonly to: readonly [number, number];
  /** First fixed build, or null when the branch never got a fix. */
  readonly fixed: readonly number[] | null;
  /** Fixed builds of sub-branches (same first three parts as the version they fix). */
  readonly subFixed?: readonly (readonly number[])[];
}

export interface Advisory {
  readonly id: string;
  readonly cves: readonly string[];
  readonly title: string;
  /** True when exploitation is over the network (others need adjacency, Wi-Fi, or local access). */
  readonly network: boolean;
  readonly branches: readonly Branch[];
}

const v = (s: string): number[] => s.split('.').map(Number);
const b = (from: string, to: string, fixed: string | null, subFixed: string[] = []): Branch => {
  const f = v(from);
  const t = v(to);
  return {
    from: [f[0] ?? 0, f[1] ?? 0],
    to: [t[0] ?? 0, t[1] ?? 0],
    fixed: fixed === null ? null : v(fixed),
    subFixed: subFixed.map(v),
  };
};

export const ADVISORIES: readonly Advisory[] = [
  {
    id: 'INTEL-SA-00075',
    cves: ['CVE-2017-5689'],
    title: 'remote authentication bypass (empty digest response)',
    network: true,
    branches: [
      b('6.0', '6.2', '6.2.61.3535'),
      b('7.0', '7.1', '7.1.91.3272'),
      b('8.0', '8.1', '8.1.71.3608'),
      b('9.0', '9.1', '9.1.41.3024'),
      b('9.5', '9.5', '9.5.61.3012'),
      b('10.0', '10.0', '10.0.55.3000'),
      b('11.0', '11.0', '11.0.25.3001', ['11.0.18.3003', '11.0.22.3001']),
      b('11.5', '11.6', '11.6.27.3264', ['11.6.12.3202']),
    ],
  },
  {
    id: 'INTEL-SA-00086',
    cves: ['CVE-2017-5711', 'CVE-2017-5712'],
    title: 'buffer overflows in AMT (CVE-2017-5712 over the network by an administrator)',
    network: true,
    branches: [b('8.0', '11.20', null)],
  },
  {
    id: 'INTEL-SA-00112',
    cves: ['CVE-2018-3628', 'CVE-2018-3629', 'CVE-2018-3632'],
    title: 'AMT HTTP handler buffer overflow and event handler denial of service',
    network: true,
    branches: [
      b('3.0', '8.99', null),
      b('9.0', '9.1', '9.1.43'),
      b('9.5', '9.5', '9.5.63'),
      b('10.0', '10.0', '10.0.57'),
      b('11.0', '11.8', '11.8.50'),
      b('11.10', '11.11', '11.11.50'),
      b('11.20', '11.21', '11.21.51'),
    ],
  },
  {
    id: 'INTEL-SA-00141',
    cves: ['CVE-2018-3616', 'CVE-2018-3657', 'CVE-2018-3658'],
    title: 'Bleichenbacher oracle in AMT TLS and denial of service',
    network: true,
    branches: [b('0.0', '12.0', '12.0.5')],
  },
  {
    id: 'INTEL-SA-00213',
    cves: ['CVE-2019-0094', 'CVE-2019-0096', 'CVE-2019-0097'],
    title: 'denial of service and escalation of privilege',
    network: true,
    branches: [b('11.0', '11.8', '11.8.65'), b('11.10', '11.11', '11.11.65'), b('11.20', '11.22', '11.22.65'), b('12.0', '12.0', '12.0.35')],
  },
  {
    id: 'INTEL-SA-00241',
    cves: ['CVE-2019-11107', 'CVE-2019-11131', 'CVE-2019-0166', 'CVE-2019-11132', 'CVE-2019-11088', 'CVE-2019-0131'],
    title: 'network escalation of privilege, information disclosure, XSS',
    network: true,
    branches: [b('11.0', '11.8', '11.8.70'), b('11.10', '11.11', '11.11.70'), b('11.20', '11.22', '11.22.70'), b('12.0', '12.0', '12.0.45')],
  },
  {
    id: 'INTEL-SA-00295',
    cves: ['CVE-2020-0597', 'CVE-2020-8674'],
    title: 'Treck "Ripple20" IPv6 and DHCPv6 out-of-bounds reads',
    network: true,
    branches: [
      b('11.0', '11.8', '11.8.77'),
      b('11.10', '11.11', '11.11.77'),
      b('11.20', '11.22', '11.22.77'),
      b('12.0', '12.0', '12.0.64'),
      b('14.0', '14.0', '14.0.33'),
    ],
  },
  {
    id: 'INTEL-SA-00404',
    cves: ['CVE-2020-8758'],
    title: 'unauthenticated network escalation of privilege on provisioned AMT',
    network: true,
    branches: [
      b('11.0', '11.8', '11.8.79'),
      b('11.10', '11.12', '11.12.79'),
      b('11.20', '11.22', '11.22.79'),
      b('12.0', '12.0', '12.0.68'),
      b('14.0', '14.0', '14.0.39'),
    ],
  },
];

/** Parses "11.8.50.3425" (2 to 4 numeric parts). Null when it is not a version. */
export function parseVersion(s: string): number[] | null {
  if (!/^[0-9]{1,5}(\.[0-9]{1,6}){1,3}$/.test(s)) return null;
  return s.split('.').map(Number);
}

/** -1, 0, 1; a missing part compares as 0 only when `padMissing`, else as "unknown" (returns null). */
function compare(a: readonly number[], b: readonly number[]): number | null {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i];
    const y = b[i];
    if (x === undefined || y === undefined) {
      // the version is less precise than the fix: equal so far, cannot tell
      return x === undefined && y === undefined ? 0 : x === undefined ? null : 0;
    }
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

export interface AdvisoryMatch {
  readonly advisory: Advisory;
  /** True when the version is not precise enough to tell whether the fix is in (e.g. 3-part banner). */
  readonly uncertain: boolean;
}

export function advisoriesFor(version: string): AdvisoryMatch[] {
  const ver = parseVersion(version);
  if (ver === null) return [];
  const major = ver[0] as number;
  const minor = ver[1] as number;
  const out: AdvisoryMatch[] = [];
  for (const a of ADVISORIES) {
    for (const br of a.branches) {
      const inFrom = major > br.from[0] || (major === br.from[0] && minor >= br.from[1]);
      const inTo = major < br.to[0] || (major === br.to[0] && minor <= br.to[1]);
      if (!inFrom || !inTo) continue;
      if (br.fixed === null) {
        out.push({ advisory: a, uncertain: false });
      } else {
        const sub = br.subFixed?.find((f) => f[0] === ver[0] && f[1] === ver[1] && f[2] === ver[2]);
        const c = compare(ver, sub ?? br.fixed);
        if (c === null) out.push({ advisory: a, uncertain: true });
        else if (c < 0) out.push({ advisory: a, uncertain: false });
      }
      break;
    }
  }
  return out;
}
