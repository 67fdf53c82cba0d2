// RMCP/ASF presence responder (UDP 623), as Intel AMT answers discovery (amt-protocol.md section 5):
// an ASF Presence Ping (RMCP class 0x06, IANA 4542, type 0x80) gets an RMCP ACK (class 0x86) when
// its sequence number is not 0xff, then a 28-byte Presence Pong whose OEM data carries Intel's IANA
// (343), the AMT port, the version byte and the provisioning-state bits. Anything else (IPMI class
// 0x07, other ASF messages) is logged and not answered.

export interface RmcpConfig {
  /** AMT major.minor, e.g. "11.8" (majors above 15 go in the extended bytes, version byte 0). */
  version: string;
  /** 0 pre-provisioning, 1 in provisioning, 2 post-provisioning. */
  state: 0 | 1 | 2;
  /** The announced AMT port: 16992 or 16993; 0 = AMT present but not set up. */
  port: number;
  /** Both 16992 and 16993 open (flags bit 2). */
  dual: boolean;
}

export const STATE_NAMES = ['pre', 'in', 'post'] as const;

/** The 16 bytes of pong data (the real layout of DeathMetal's captures: 00000157 42609502 00200000 00000000). */
export function pongData(c: RmcpConfig): Buffer {
  const [maj = 0, min = 0] = c.version.split('.').map(Number);
  const d = Buffer.alloc(16);
  d.writeUInt32BE(343, 0); // Intel
  d.writeUInt16BE(c.port, 4);
  if (maj <= 15) d[6] = (maj << 4) | (min & 0x0f);
  else {
    d[6] = 0;
    d[10] = maj;
    d[11] = min;
  }
  d[7] = (c.state & 3) | (c.dual ? 4 : 0);
  d[8] = 0x00; // supported entities
  d[9] = 0x20; // supported interactions: DASH
  return d;
}

export function pong(seq: number, tag: number, c: RmcpConfig): Buffer {
  return Buffer.concat([Buffer.from([0x06, 0x00, seq, 0x06, 0x00, 0x00, 0x11, 0xbe, 0x40, tag, 0x00, 0x10]), pongData(c)]);
}

/** What to send back for one datagram (in order), and a line for the log. */
export function answerRmcp(msg: Buffer, c: RmcpConfig): { replies: Buffer[]; log: string } {
  if (msg.length < 4 || msg[0] !== 0x06) return { replies: [], log: `not RMCP (${msg.length} bytes), ignored` };
  const seq = msg[2]!;
  const cls = msg[3]!;
  if (cls & 0x80) return { replies: [], log: `RMCP ACK seq=${seq}, ignored` };
  if ((cls & 0x1f) === 0x07) return { replies: [], log: `IPMI (class 0x07, ${msg.length} bytes), not answered` };
  if ((cls & 0x1f) !== 0x06 || msg.length < 12) return { replies: [], log: `RMCP class 0x${cls.toString(16)} (${msg.length} bytes), not answered` };
  const iana = msg.readUInt32BE(4);
  const type = msg[8]!;
  const tag = msg[9]!;
  if (iana !== 4542 || type !== 0x80) return { replies: [], log: `ASF type 0x${type.toString(16)} iana ${iana}, not answered` };
  const replies: Buffer[] = [];
  if (seq !== 0xff) replies.push(Buffer.from([0x06, 0x00, seq, 0x86]));
  replies.push(pong(seq, tag, c));
  return {
    replies,
    log: `presence ping seq=${seq} tag=${tag} -> ${seq !== 0xff ? 'ACK + ' : ''}pong AMT ${c.version} ${STATE_NAMES[c.state]}-provisioning port=${c.port}${c.dual ? ' dual' : ''}`,
  };
}
