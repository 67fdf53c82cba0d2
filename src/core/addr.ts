/**
 * IP addresses as bytes: a Uint8Array of length 4 (IPv4) or 16 (IPv6). Text forms are produced
 * only by report/format.ts; this module parses text (configuration) and matches prefixes.
 */
export type IpBytes = Uint8Array;

export interface Cidr {
  /** Network address bytes (host bits cleared). */
  readonly addr: IpBytes;
  readonly prefix: number;
  /** The text it was parsed from, for messages. */
  readonly text: string;
}

/** Parses dotted-quad IPv4. Returns null when not valid. */
export function parseIpv4(s: string): IpBytes | null {
  const parts = s.split('.');
  if (parts.length !== 4) return null;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const p = parts[i] as string;
    if (!/^[0-9]{1,3}$/.test(p)) return null;
    if (p.length > 1 && p[0] === '0') return null; // no octal-looking forms
    const v = Number(p);
    if (v > 255) return null;
    out[i] = v;
  }
  return out;
}

/** Parses IPv6 text (RFC 4291 forms, including :: and an embedded dotted IPv4 tail). */
export function parseIpv6(s: string): IpBytes | null {
  if (s.length === 0 || s.length > 45) return null;
  if (s.includes('%')) return null; // zone ids are not addresses
  const dbl = s.indexOf('::');
  if (dbl !== -1 && s.indexOf('::', dbl + 1) !== -1) return null;
  const groups: number[] = [];
  const parseSide = (side: string, allowV4Tail: boolean): number[] | null => {
    if (side === '') return [];
    const items = side.split(':');
    const res: number[] = [];
    for (let i = 0; i < items.length; i++) {
      const it = items[i] as string;
      if (allowV4Tail && i === items.length - 1 && it.includes('.')) {
        const v4 = parseIpv4(it);
        if (!v4) return null;
        res.push(((v4[0] as number) << 8) | (v4[1] as number), ((v4[2] as number) << 8) | (v4[3] as number));
        continue;
      }
      if (!/^[0-9a-fA-F]{1,4}$/.test(it)) return null;
      res.push(parseInt(it, 16));
    }
    return res;
  };
  if (dbl === -1) {
    const all = parseSide(s, true);
    if (!all || all.length !== 8) return null;
    groups.push(...all);
  } else {
    const head = parseSide(s.slice(0, dbl), false);
    const tail = parseSide(s.slice(dbl + 2), true);
    if (!head || !tail) return null;
    const fill = 8 - head.length - tail.length;
    if (fill < 1) return null;
    groups.push(...head, ...new Array<number>(fill).fill(0), ...tail);
  }
  const out = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    const g = groups[i] as number;
    out[2 * i] = g >> 8;
    out[2 * i + 1] = g & 0xff;
  }
  return out;
}

export function parseIp(s: string): IpBytes | null {
  return s.includes(':') ? parseIpv6(s) : parseIpv4(s);
}

/**
 * Parses `addr` or `addr/prefix`. A bare address is a host prefix (/32 or /128).
 * Returns an error message (string) when invalid, so config validation can name the problem.
 */
export function parseCidr(text: string): Cidr | string {
  const s = text.trim();
  const slash = s.indexOf('/');
  const addrText = slash === -1 ? s : s.slice(0, slash);
  const addr = parseIp(addrText);
  if (!addr) return `'${text}' is not an IPv4 or IPv6 address`;
  const max = addr.length * 8;
  let prefix = max;
  if (slash !== -1) {
    const pt = s.slice(slash + 1);
    if (!/^[0-9]{1,3}$/.test(pt)) return `'${text}' has a bad prefix length`;
    prefix = Number(pt);
    if (prefix > max) return `'${text}' has a prefix length over ${max}`;
  }
  const net = new Uint8Array(addr);
  for (let bit = prefix; bit < max; bit++) net[bit >> 3] = (net[bit >> 3] as number) & ~(0x80 >> (bit & 7));
  return { addr: net, prefix, text: s };
}

/** True when `ip` (4 or 16 bytes) lies inside `c`. An IPv4-mapped IPv6 address matches IPv4 prefixes. */
export function cidrContains(c: Cidr, ip: IpBytes): boolean {
  let a = ip;
  if (c.addr.length === 4 && ip.length === 16 && isV4Mapped(ip)) a = ip.subarray(12);
  if (a.length !== c.addr.length) return false;
  const full = c.prefix >> 3;
  for (let i = 0; i < full; i++) if (a[i] !== c.addr[i]) return false;
  const rem = c.prefix & 7;
  if (rem === 0) return true;
  const mask = (0xff << (8 - rem)) & 0xff;
  return ((a[full] as number) & mask) === (c.addr[full] as number);
}

export function isV4Mapped(ip: IpBytes): boolean {
  if (ip.length !== 16) return false;
  for (let i = 0; i < 10; i++) if (ip[i] !== 0) return false;
  return ip[10] === 0xff && ip[11] === 0xff;
}

export function ipv4FromU32(v: number): IpBytes {
  return Uint8Array.of((v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff);
}

/** Canonical text: dotted quad for IPv4, RFC 5952 for IPv6 (lower case, longest zero run as ::, ::ffff:a.b.c.d). */
export function formatIp(ip: IpBytes): string {
  if (ip.length === 4) return `${ip[0]}.${ip[1]}.${ip[2]}.${ip[3]}`;
  if (ip.length !== 16) return '?';
  if (isV4Mapped(ip)) return `::ffff:${ip[12]}.${ip[13]}.${ip[14]}.${ip[15]}`;
  const g: number[] = [];
  for (let i = 0; i < 8; i++) g.push(((ip[2 * i] as number) << 8) | (ip[2 * i + 1] as number));
  // longest run of zero groups (length >= 2); first one wins on ties
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (bestLen < 2) return g.map((x) => x.toString(16)).join(':');
  const head = g.slice(0, bestStart).map((x) => x.toString(16)).join(':');
  const tail = g.slice(bestStart + bestLen).map((x) => x.toString(16)).join(':');
  return `${head}::${tail}`;
}
