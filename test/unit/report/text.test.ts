import { describe, expect, it } from 'vitest';
import { NOTE_UNAUTHORIZED_SESSION } from '../../../src/records/index.js';
import { createTextReporter, fitText, renderTable, SGR_ALERT, SGR_BOLD, SGR_RESET, textWidth } from '../../../src/report/text.js';
import { sanitizeText } from '../../../src/report/sanitize.js';
import { C1, C2, C3, HOSTILE, N1, N2, S, conn, hostileConn, hostileNotice, hostileStats, ip, sink, UNSAFE } from './fixtures.js';

const UNAUTH_TABLE = [
  'UNAUTHORIZED AMT SESSIONS (2)',
  'time (UTC)           client                   server              vlan  service    state  duration  bytes orig/resp  amt                                            reasons                                        uid',
  '2026-01-15 10:00:01  10.0.0.5:50001           10.0.0.10:16992       10  amt-http   SF     1.500000         120/3400  fw 9.5.30.1000, user admin, auth success       client_not_authorized                          CAbc123def456',
  '2026-01-15 10:00:03  [::ffff:192.0.2.7]:1024  [fe80::1]:16994  100/200  amt-redir  S1     0.999999             16/8  fw 9.5.30.1000, user admin, auth failure, SOL  client_not_authorized,server_not_in_inventory  CGhi000',
];
const NOTICES = [
  '',
  'OTHER NOTICES (1)',
  'time (UTC)           note             uid      msg',
  '2026-01-15 10:00:04  amt.redir_weird  CGhi000  redirection message too long',
];
const TOTALS = [
  '',
  'TOTALS',
  'files            2',
  'frames           42',
  'AMT sessions     3 (1 authorized, 2 unauthorized)',
  'other sessions   4',
  'notices          2',
  'anomalies        3',
  '  decode.ipv4.truncated  2',
  '  tcp.bad_flags          1',
  'input errors     1',
  '  b.pcapng.gz: frame 13, byte offset 2048: truncated record (reading stopped)',
  'elapsed          0.123456 s',
];

function run(opts: { color?: boolean; verbose?: boolean }, feed: (r: ReturnType<typeof createTextReporter>) => void): string {
  const o = sink();
  const r = createTextReporter(o, opts);
  feed(r);
  r.close();
  return o.text;
}

const all = (r: ReturnType<typeof createTextReporter>): void => {
  r.notice(N1);
  r.conn(C3); // arrives first (sessions end in any order); the table is in start-time order
  r.notice(N2);
  r.conn(C2);
  r.conn(C1);
  r.stats(S);
};

/** No control character except the line breaks we write, no bidi/format character, no lone surrogate. */
function expectTerminalSafe(text: string): void {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x0a) continue;
    if (c < 0x20 || c === 0x7f || (c >= 0x80 && c <= 0x9f)) throw new Error(`control character 0x${c.toString(16)} at ${i}`);
  }
  expect(UNSAFE.test(text.replace(/\n/g, ''))).toBe(false);
}

describe('text reporter', () => {
  it('prints the unauthorized table, the authorized count, other notices and totals', () => {
    const text = run({}, all);
    expect(text).toBe([...UNAUTH_TABLE, '', 'Authorized AMT sessions: 1', ...NOTICES, ...TOTALS].join('\n') + '\n');
    expectTerminalSafe(text);
    expect(text).not.toContain(NOTE_UNAUTHORIZED_SESSION); // those notices are the table itself
  });

  it('lists authorized sessions too when verbose (no vlan column when none has one)', () => {
    const text = run({ verbose: true }, all);
    expect(text).toBe(
      [
        ...UNAUTH_TABLE,
        '',
        'AUTHORIZED AMT SESSIONS (1)',
        'time (UTC)           client               server                      service    state  duration  bytes orig/resp  amt                                    reasons  uid',
        '2026-01-15 10:00:02  [2001:db8::5]:40000  [2001:db8::1:0:0:10]:16993  amt-https  S0     0.000000              0/0  auth unknown, TLSv12, sni amt.example  -        CDef789',
        ...NOTICES,
        ...TOTALS,
      ].join('\n') + '\n',
    );
  });

  it('says so when there is nothing unauthorized, and prints no totals without stats', () => {
    expect(run({}, (r) => r.conn(C2))).toBe('No unauthorized AMT sessions.\n\nAuthorized AMT sessions: 1\n');
    expect(run({ color: true }, () => {})).toBe('No unauthorized AMT sessions.\n\nAuthorized AMT sessions: 0\n');
  });

  it('colours only its own headings, and only with color', () => {
    const plain = run({}, all);
    expect(plain).not.toContain('\x1b');
    const coloured = run({ color: true }, all);
    expect(coloured).toContain(`${SGR_ALERT}UNAUTHORIZED AMT SESSIONS (2)${SGR_RESET}\n`);
    expect(coloured).toContain(`${SGR_BOLD}TOTALS${SGR_RESET}\n`);
    const stripped = coloured.split(SGR_ALERT).join('').split(SGR_BOLD).join('').split(SGR_RESET).join('');
    expect(stripped).toBe(plain);
  });

  it('never lets data put a control, ESC, C1 or bidi character on the terminal', () => {
    for (const color of [false, true]) {
      const text = run({ color, verbose: true }, (r) => {
        HOSTILE.forEach((h, i) => {
          r.conn(hostileConn(h, i));
          r.conn({ ...hostileConn(h, i), authorized: true, reasons: [] });
          r.notice(hostileNotice(h));
        });
        r.stats(hostileStats());
      });
      const ours = color ? text.split(SGR_ALERT).join('').split(SGR_BOLD).join('').split(SGR_RESET).join('') : text;
      if (!color) expect(text).not.toContain('\x1b');
      expectTerminalSafe(ours);
      // each hostile value shows up escaped (or cut to its column with an ellipsis)
      expect(ours).toContain(fitText(sanitizeText(HOSTILE[2] as string), 24));
      expect(ours).toContain('… 5 more not kept');
    }
  });

  it('caps column widths and cuts long cells with an ellipsis, never inside a surrogate pair', () => {
    const long = `${'x'.repeat(60)}😀${'y'.repeat(60)}`;
    const text = run({}, (r) => r.conn(conn({ reasons: [long], uid: long, 'id.orig_h': ip('2001:db8:1:2:3:4:5:6') })));
    const row = text.split('\n')[2] as string;
    expect(row).toContain(`${'x'.repeat(47)}…`);
    expect(row).toContain('[2001:db8:1:2:3:4:5:6]:50001');
    expect(row.endsWith(`${'x'.repeat(23)}…`)).toBe(true);
    expectTerminalSafe(text);
    expect(fitText('ab😀cd', 4)).toBe('ab😀…');
    expect(fitText('ab😀cd', 3)).toBe('ab…');
    expect(fitText('abc', 3)).toBe('abc');
    expect(fitText('abc', 0)).toBe('');
    expect(textWidth('a😀b')).toBe(3);
  });

  it('renderTable right-aligns numeric columns and leaves no trailing spaces', () => {
    const lines = renderTable(
      [
        { title: 'name', cap: 10 },
        { title: 'n', cap: 5, right: true },
        { title: 'last', cap: 10 },
      ],
      [
        ['a', '1', ''],
        ['bbbbbbbbbbbbbb', '12345678', 'z'],
      ],
    );
    expect(lines).toEqual(['name            n  last', 'a               1', 'bbbbbbbbb…  1234…  z']);
  });

  it('ignores records after close', () => {
    const o = sink();
    const r = createTextReporter(o, {});
    r.close();
    const before = o.text;
    r.conn(C1);
    r.notice(N2);
    r.stats(S);
    r.close();
    expect(o.text).toBe(before);
  });
});
