/** Just enough of pcap-parser 0.2.1's API (CommonJS, no bundled types) for the oracle test. */
declare module 'pcap-parser' {
  import type { EventEmitter } from 'node:events';
  export interface PcapPacketHeader {
    timestampSeconds: number;
    timestampMicroseconds: number;
    capturedLength: number;
    originalLength: number;
  }
  export interface PcapParser extends EventEmitter {
    on(ev: 'packet', f: (p: { header: PcapPacketHeader; data: Buffer }) => void): this;
    on(ev: 'error', f: (e: Error) => void): this;
    on(ev: 'end', f: () => void): this;
  }
  const pcapp: { parse(input: string | NodeJS.ReadableStream): PcapParser };
  export default pcapp;
}
