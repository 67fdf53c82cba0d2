// HTML bodies of the AMT web UI (shapes follow AMT 9.x-11.x pages; content is made up).
import { md5hex } from './digest.js';

export interface Device {
  firmware: string; // e.g. 9.5.30.1000
  hostname: string; // e.g. amt10
  domain: string;
  ip: string;
  realm: string;
  user: string;
}

/** Exact 401 body of a real AMT 11.8.50 unit (690 bytes). */
export const LOGON_FAILED_BODY =
  '<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN" >\n' +
  '<html><head><link rel=stylesheet href=/styles.css>\n' +
  '<meta http-equiv="Content-Type" content="text/html; charset=utf-8">\n' +
  '<title>Intel&reg; Active Management Technology</title></head>\n' +
  '<body>\n' +
  '<table class=header>\n' +
  '<tr><td valign=top nowrap>\n' +
  '<p class=top1>Intel<font class=r><sup>&reg;</sup></font> Active Management Technology\n' +
  '<td valign="top"><img src="logo.gif" align="right" alt="Intel">\n' +
  '</table>\n' +
  '<br />\n' +
  '<h2 class=warn>Log on failed. Incorrect user name or password, or user account temporarily locked.</h2>\n' +
  '\n' +
  '<p>\n' +
  '<form METHOD="GET" action="index.htm"><h2><input type=submit value="Try again">\n' +
  '</h2></form>\n' +
  '<p>\n' +
  '\n' +
  '</body>\n' +
  '</html>\n';

export function systemId(d: Device): string {
  const h = md5hex('system-id:' + d.hostname + ':' + d.ip);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

function fwDisplay(fw: string): string {
  const p = fw.split('.');
  return p.length >= 4 ? `${p[0]}.${p[1]}.${p[2]}-build ${p[3]}` : fw;
}

function header(d: Device): string {
  return (
    '<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN" >\n' +
    '<html><head><link rel=stylesheet href=/styles.css>\n' +
    '<meta http-equiv="Content-Type" content="text/html; charset=utf-8">\n' +
    '<title>Intel&reg; Active Management Technology</title></head>\n' +
    '<body>\n<table class=header>\n<tr><td valign=top nowrap>\n' +
    '<p class=top1>Intel<font class=r><sup>&reg;</sup></font> Active Management Technology\n' +
    `<p class=top2><b>Computer:</b> ${d.hostname}\n` +
    '<td valign="top"><img src="logo.gif" align="right" alt="Intel">\n</table>\n'
  );
}

function nav(): string {
  return (
    '<table class=spread cellspacing=0><tr><td class=navbar>\n<br>\n' +
    '<p class=nav1><a href="index.htm">System Status</a>\n' +
    '<p class=nav1>Hardware Information\n' +
    '<p class=nav2><a href="hw-sys.htm">System</a>\n<br><a href="hw-proc.htm">Processor</a>\n' +
    '<br><a href="hw-mem.htm">Memory</a>\n<br><a href="hw-disk.htm">Disk</a>\n' +
    '<p class=nav1><a href="events.htm">Event Log</a>\n' +
    '<p class=nav1><a href="power.htm">Power Policies</a>\n' +
    '<p class=nav1><a href="ip.htm">Network Settings</a>\n' +
    '<p class=nav1><a href="ipv6.htm">IPv6 Network Settings</a>\n' +
    '<p class=nav1><a href="fqdn.htm">System Name Settings</a>\n' +
    '<p class=nav1><a href="acl.htm">User Accounts</a>\n' +
    '<td class=maincell>\n'
  );
}

function footer(d: Device): string {
  return (
    `<p class=foot>Intel<sup>&reg;</sup> Active Management Technology firmware version: ${fwDisplay(d.firmware)}\n` +
    '</table>\n</body>\n</html>\n'
  );
}

function row(k: string, v: string): string {
  return `<tr><td class=r1><p>${k}<td class=r1>${v}\n`;
}

export function logonPage(d: Device): string {
  return (
    header(d) +
    '<br />\n<h1>Intel<sup>&reg;</sup> Active Management Technology</h1>\n' +
    '<p>To log on, select <b>Log On</b> and enter a user name and password.\n' +
    '<form METHOD="GET" action="index.htm"><h2><input type=submit value="Log On...">\n</h2></form>\n' +
    footer(d)
  );
}

export function indexPage(d: Device, now: Date): string {
  return (
    header(d) +
    nav() +
    '<h1>System Status</h1>\n<table class=log cellspacing=0 cellpadding=0 border=0 width="98%">\n' +
    row('Power', 'On') +
    row('IP address', d.ip) +
    row('System ID', systemId(d)) +
    row('Date', now.toISOString().slice(0, 10)) +
    row('Time', now.toISOString().slice(11, 16)) +
    '</table>\n' +
    footer(d)
  );
}

export function hwSysPage(d: Device): string {
  return (
    header(d) +
    nav() +
    '<h1>System Information</h1>\n<table class=log cellspacing=0 cellpadding=0 border=0 width="98%">\n' +
    '<tr class=r0><td width=200><h2>Platform</h2><td>\n' +
    row('Computer model', 'Lab Workstation 7010') +
    row('Manufacturer', 'Example Computers') +
    row('Version', 'A01') +
    row('Serial number', 'LAB' + md5hex(d.hostname).slice(0, 7).toUpperCase()) +
    row('System ID', systemId(d)) +
    '<tr class=r0><td><h2>Baseboard</h2><td>\n' +
    row('Manufacturer', 'Example Computers') +
    row('Product name', '0KWVT8') +
    '<tr class=r0><td><h2>BIOS</h2><td>\n' +
    row('Vendor', 'Example BIOS Inc.') +
    row('Version', 'A17') +
    row('Release date', '03/14/2017') +
    '</table>\n' +
    footer(d)
  );
}

export function aclPage(d: Device): string {
  return (
    header(d) +
    nav() +
    '<h1>User Accounts</h1>\n<table class=log cellspacing=0 cellpadding=0 border=0 width="98%">\n' +
    '<tr class=r0><td><h2>User name</h2><td><h2>Access</h2>\n' +
    row(d.user, 'Administrator (local and network), Digest') +
    row('helpdesk', 'Remote control, Redirection, Digest') +
    '</table>\n' +
    footer(d)
  );
}

export function genericPage(d: Device, title: string): string {
  return header(d) + nav() + `<h1>${title}</h1>\n<p>No entries.\n` + footer(d);
}

export const STYLES_CSS =
  'body{font-family:Verdana,Arial,Helvetica,sans-serif;font-size:13px;color:#000}\n' +
  '.header{width:100%;background:#0860a8;color:#fff}\n.top1{font-size:18px}\n.warn{color:#c00}\n' +
  '.navbar{width:170px;background:#e8e8e8;vertical-align:top}\n.r1{padding:2px 6px}\n';

/** 1x1 transparent GIF. */
export const LOGO_GIF = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');
