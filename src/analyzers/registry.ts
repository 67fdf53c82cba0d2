/**
 * Which analyzer reads which AMT port: HTTP/WS-Management on 16992 (with AMT redirection inside a
 * WebSocket at /ws-redirection), TLS on 16993 and 16995, the redirection protocol on 16994.
 */
import { createRedirAnalyzer } from './amt-redir/analyzer.js';
import { createHttpAnalyzer } from './http/analyzer.js';
import { createTlsAnalyzer } from './tls/analyzer.js';
import type { AnalyzerFactory } from './types.js';

const http: AnalyzerFactory = (host) => createHttpAnalyzer(host, { onUpgrade: createRedirAnalyzer });

export function analyzerFor(respPort: number): AnalyzerFactory | null {
  switch (respPort) {
    case 16992:
      return http;
    case 16993:
    case 16995:
      return createTlsAnalyzer;
    case 16994:
      return createRedirAnalyzer;
    default:
      return null;
  }
}
