/** Plain RFB (VNC) on TCP 5900 (--extended-ports): names and anomaly codes. */
import { registerAnomaly } from '../../core/anomaly.js';

/**
 * The RFB ServerInit desktop name of the Intel AMT KVM server (amt-protocol.md 4.6; noVNC and KDE
 * KRDC special-case the same string). Compared exactly.
 */
export const AMT_KVM_DESKTOP_NAME = 'Intel(r) AMT KVM';

/** RFB security types by number (RFC 6143 7.1.2 and the IANA registry), as auth type names. */
export function rfbSecurityName(t: number): string {
  switch (t) {
    case 1:
      return 'rfb_none';
    case 2:
      return 'rfb_vnc';
    case 16:
      return 'rfb_tight';
    case 18:
      return 'rfb_tls';
    case 19:
      return 'rfb_vencrypt';
    default:
      return `rfb_${t}`;
  }
}

/** The bytes on 5900 are not an RFB ProtocolVersion ("RFB xxx.yyy\n"). */
export const A_RFB_BAD_VERSION = registerAnomaly('rfb.bad_version');
/** A handshake field that could not be completed within the analyzer's window. */
export const A_RFB_TOO_LONG = registerAnomaly('rfb.too_long');
/** The desktop name was longer than maxFieldChars and was cut. */
export const A_RFB_NAME_TRUNCATED = registerAnomaly('rfb.name_truncated');
