/**
 * Which analyzer reads which AMT port: HTTP/WS-Management on 16992 (with AMT redirection inside a
 * WebSocket at /ws-redirection), TLS on 16993 and 16995, the redirection protocol on 16994; with
 * --extended-ports also HTTP on TCP 623 (DASH), TLS on TCP 664, and plain RFB on TCP 5900 (UDP 623
 * RMCP has its own per-datagram analyzer: rmcp/analyzer.ts).
 */
import { createRedirAnalyzer } from './amt-redir/analyzer.js';
import { createHttpAnalyzer } from './http/analyzer.js';
import { createRfbAnalyzer } from './rfb/analyzer.js';
import { createTlsAnalyzer } from './tls/analyzer.js';
import type { AnalyzerFactory } from './types.js';

const http: AnalyzerFactory = (host) => createHttpAnalyzer(host, { onUpgrade: createRedirAnalyzer });

export function analyzerFor(respPort: number, extended = false): AnalyzerFactory | null {
  switch (respPort) {
    case 16992:
      return http;
    case 623:
      return extended ? http : null;
    case 664:
      return extended ? createTlsAnalyzer : null;
    case 5900:
      return extended ? createRfbAnalyzer : null;
    case 16993:
    case 16995:
      return createTlsAnalyzer;
    case 16994:
      return createRedirAnalyzer;
    default:
      return null;
  }
}
