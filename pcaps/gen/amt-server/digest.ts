// HTTP Digest (RFC 2617, MD5, qop=auth) as Intel AMT firmware does it, including the
// CVE-2017-5689 comparison flaw when `vulnerable` is set.
import { createHash, randomBytes } from 'node:crypto';

export function md5hex(s: string | Buffer): string {
  return createHash('md5').update(s).digest('hex');
}

/** Realm "Digest:" + 32 upper-case hex: 4 significant digits then 28 zeros, like most AMT units. */
export function defaultRealm(seed: string): string {
  return 'Digest:' + md5hex(seed).slice(0, 4).toUpperCase() + '0'.repeat(28);
}

/**
 * 32 base64 characters (24 bytes). Real AMT nonces carry a run of 'A's at positions ~9-16
 * (e.g. "wlbEK1EtAAAAAAAAWW5aUHFp+mQQ1j63"): 6 random bytes, 6 zero bytes, 12 random bytes.
 */
export function makeNonce(): string {
  const b = Buffer.alloc(24);
  randomBytes(6).copy(b, 0);
  randomBytes(12).copy(b, 12);
  return b.toString('base64');
}

export interface AuthHeader {
  scheme: string;
  params: Record<string, string>;
  /** parameter names whose value was quoted */
  quoted: Set<string>;
}

/** Parse `Digest k=v, k="v", ...` tolerantly (nmap writes `uri="index.htm",cnonce=...`, `nc=1`). */
export function parseAuthorization(value: string): AuthHeader | null {
  const m = /^\s*([A-Za-z][A-Za-z0-9_-]*)\s*(.*)$/s.exec(value);
  if (!m) return null;
  const scheme = m[1]!;
  const rest = m[2] ?? '';
  const params: Record<string, string> = {};
  const quoted = new Set<string>();
  let i = 0;
  while (i < rest.length) {
    while (i < rest.length && /[\s,]/.test(rest[i]!)) i++;
    if (i >= rest.length) break;
    const eq = rest.indexOf('=', i);
    if (eq < 0) break;
    const key = rest.slice(i, eq).trim().toLowerCase();
    i = eq + 1;
    while (i < rest.length && rest[i] === ' ') i++;
    let val = '';
    if (rest[i] === '"') {
      i++;
      while (i < rest.length && rest[i] !== '"') {
        if (rest[i] === '\\' && i + 1 < rest.length) i++;
        val += rest[i];
        i++;
      }
      i++; // closing quote
      quoted.add(key);
    } else {
      const end = rest.indexOf(',', i);
      val = (end < 0 ? rest.slice(i) : rest.slice(i, end)).trim();
      i = end < 0 ? rest.length : end;
    }
    params[key] = val;
  }
  return { scheme, params, quoted };
}

export interface DigestCheck {
  ok: boolean;
  user: string;
  /** why it failed / how it passed, for the log */
  detail: string;
  /** response value shorter than 32 hex characters (the CVE-2017-5689 shape) */
  shortResponse: boolean;
}

export interface DigestConfig {
  user: string;
  password: string;
  realm: string;
  vulnerable: boolean;
}

/**
 * Verify a Digest Authorization for an HTTP method. `knownNonce` tells whether we issued
 * the nonce. Vulnerable firmware: strncmp(computed, received, strlen(received)).
 */
export function checkDigest(
  cfg: DigestConfig,
  method: string,
  auth: AuthHeader,
  knownNonce: (n: string) => boolean,
): DigestCheck {
  const p = auth.params;
  const user = p['username'] ?? '';
  const received = p['response'] ?? '';
  const shortResponse = !/^[0-9a-fA-F]{32}$/.test(received);
  const fail = (detail: string): DigestCheck => ({ ok: false, user, detail, shortResponse });
  if (auth.scheme.toLowerCase() !== 'digest') return fail('scheme ' + auth.scheme);
  if (user !== cfg.user) return fail('unknown user');
  const nonce = p['nonce'] ?? '';
  if (!knownNonce(nonce)) return fail('unknown nonce');
  const realm = p['realm'] ?? '';
  const uri = p['uri'] ?? '';
  const ha1 = md5hex(`${user}:${realm}:${cfg.password}`);
  const ha2 = md5hex(`${method}:${uri}`);
  const qop = p['qop'];
  const computed = qop
    ? md5hex(`${ha1}:${nonce}:${p['nc'] ?? ''}:${p['cnonce'] ?? ''}:${qop}:${ha2}`)
    : md5hex(`${ha1}:${nonce}:${ha2}`);
  if (cfg.vulnerable) {
    // strncmp(computed, received, strlen(received)) == 0
    if (computed.startsWith(received)) {
      return { ok: true, user, detail: received.length < 32 ? `BYPASS (response length ${received.length})` : 'digest ok', shortResponse };
    }
    return fail('bad response');
  }
  if (realm !== cfg.realm) return fail('bad realm');
  if (!shortResponse && received.toLowerCase() === computed) return { ok: true, user, detail: 'digest ok', shortResponse };
  return fail(shortResponse ? `bad response (length ${received.length})` : 'bad response');
}

/** Bounded set of nonces we handed out. */
export class NonceBook {
  private readonly set = new Set<string>();
  constructor(private readonly max = 4096) {}
  issue(): string {
    const n = makeNonce();
    this.set.add(n);
    if (this.set.size > this.max) {
      const first = this.set.values().next().value;
      if (first !== undefined) this.set.delete(first);
    }
    return n;
  }
  has(n: string): boolean {
    return this.set.has(n);
  }
}
