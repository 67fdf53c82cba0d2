import { describe, expect, it } from 'vitest';
import { CONN_FIELDS } from '../../../src/records/index.js';
import { createCsvReporter } from '../../../src/report/csv.js';
import { csvGuard, sanitizeText } from '../../../src/report/sanitize.js';
import { C1, C2, C3, HOSTILE, N1, N2, S, conn, hostileConn, parseCsv, sink } from './fixtures.js';

const HEADER =
  'event_type,ts,uid,id.orig_h,id.orig_p,id.resp_h,id.resp_p,proto,service,duration,orig_bytes,resp_bytes,conn_state,missed_bytes,history,orig_pkts,orig_ip_bytes,resp_pkts,resp_ip_bytes,vlan,inner_vlan,amt_firmware,amt_user,amt_auth,amt_redirection,tls_version,tls_sni,authorized,reasons,interim';
const R1 = 'conn,1768471201.123456,CAbc123def456,10.0.0.5,50001,10.0.0.10,16992,tcp,amt-http,1.500000,120,3400,SF,0,ShADadFf,6,440,5,3668,10,,9.5.30.1000,admin,success,,,,false,client_not_authorized,false';
const R2 = 'conn,1768471202.000000,CDef789,2001:db8::5,40000,2001:db8::1:0:0:10,16993,tcp,amt-https,0.000000,0,0,S0,0,S,1,80,0,0,,,,,unknown,,TLSv12,amt.example,true,,false';
const R3 =
  'conn,1768471203.120000,CGhi000,::ffff:192.0.2.7,1024,fe80::1,16994,tcp,amt-redir,0.999999,16,8,S1,0,ShAD,3,180,2,120,100,200,9.5.30.1000,admin,failure,SOL,,,false,client_not_authorized;server_not_in_inventory,false';

describe('csv reporter', () => {
  it('writes a header and one row per conn record; notices and stats are not rows', () => {
    const o = sink();
    const r = createCsvReporter(o);
    r.notice(N1);
    expect(o.text).toBe('');
    r.conn(C1);
    expect(o.text).toBe(`${HEADER}\n${R1}\n`); // streamed
    r.conn(C2);
    r.notice(N2);
    r.conn(C3);
    r.stats(S);
    r.close();
    expect(o.text).toBe(`${HEADER}\n${R1}\n${R2}\n${R3}\n`);
    const rows = parseCsv(o.text);
    expect(rows[0]).toEqual(CONN_FIELDS.map((f) => f.key));
    for (const row of rows) expect(row.length).toBe(CONN_FIELDS.length);
  });

  it('writes just the header when there are no conn records; close is idempotent', () => {
    const o = sink();
    const r = createCsvReporter(o);
    r.close();
    r.close();
    r.conn(C1);
    expect(o.text).toBe(`${HEADER}\n`);
  });

  it('hostile strings parse back (RFC 4180) to the sanitized value, formula-guarded', () => {
    const o = sink();
    const r = createCsvReporter(o);
    HOSTILE.forEach((h, i) => r.conn(hostileConn(h, i)));
    r.close();
    const rows = parseCsv(o.text);
    expect(rows.length).toBe(HOSTILE.length + 1);
    const col = (k: string): number => CONN_FIELDS.findIndex((f) => f.key === k);
    HOSTILE.forEach((h, i) => {
      const row = rows[i + 1] as string[];
      expect(row.length).toBe(CONN_FIELDS.length);
      const want = csvGuard(sanitizeText(h));
      expect(row[col('uid')]).toBe(want);
      expect(row[col('service')]).toBe(want);
      expect(row[col('history')]).toBe(want);
      expect(row[col('reasons')]).toBe(csvGuard(`${sanitizeText(h)};ok`));
    });
    // no raw CR/LF inside cells: sanitizing escaped them, so every physical line is one record
    expect(o.text.split('\n').length).toBe(HOSTILE.length + 2);
    expect(/[\x00-\x09\x0b-\x1f\x7f-\x9f]/.test(o.text)).toBe(false);
  });

  it('guards text cells that start like a formula, but not numbers', () => {
    const o = sink();
    const r = createCsvReporter(o);
    r.conn(conn({ uid: '=1+2', service: '+x', conn_state: '-2', history: '@x', reasons: ['=a', 'b'], orig_bytes: -1, duration: -500000, ts: -1 }));
    const row = parseCsv(o.text)[1] as string[];
    const col = (k: string): string => row[CONN_FIELDS.findIndex((f) => f.key === k)] as string;
    expect(col('uid')).toBe("'=1+2");
    expect(col('service')).toBe("'+x");
    expect(col('conn_state')).toBe("'-2");
    expect(col('history')).toBe("'@x");
    expect(col('reasons')).toBe("'=a;b");
    expect(col('orig_bytes')).toBe('-1');
    expect(col('duration')).toBe('-0.500000');
    expect(col('ts')).toBe('-0.000001');
    expect(o.text).toContain(',-1,');
  });

  it('quotes cells holding a comma or a quote', () => {
    const o = sink();
    createCsvReporter(o).conn(conn({ uid: 'a,"b"', reasons: [] }));
    expect(o.text.split('\n')[1]).toContain(',"a,""b""",');
    expect((parseCsv(o.text)[1] as string[])[2]).toBe('a,"b"');
  });
});
