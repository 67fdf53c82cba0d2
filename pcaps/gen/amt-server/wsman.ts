// Minimal WS-Management (SOAP 1.2) responder for the few calls the lab makes.
import { randomUUID } from 'node:crypto';
import type { Device } from './pages.js';

const AMT = 'http://intel.com/wbem/wscim/1/amt-schema/1/';
const CIM = 'http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/';
const XFER = 'http://schemas.xmlsoap.org/ws/2004/09/transfer/';

export interface WsmanReply {
  status: number;
  body: string;
  /** "Class.Method" or "Class Get", for the log */
  what: string;
}

function tag(xml: string, local: string): string | undefined {
  const re = new RegExp(`<(?:[A-Za-z0-9_]+:)?${local}(?:\\s[^>]*)?>([\\s\\S]*?)</(?:[A-Za-z0-9_]+:)?${local}>`);
  return re.exec(xml)?.[1]?.trim();
}

function envelope(action: string, relatesTo: string, resourceUri: string, body: string): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>' +
    '<a:Envelope xmlns:a="http://www.w3.org/2003/05/soap-envelope" ' +
    'xmlns:b="http://schemas.xmlsoap.org/ws/2004/08/addressing" ' +
    'xmlns:c="http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd" ' +
    'xmlns:d="http://schemas.xmlsoap.org/ws/2005/02/trust" ' +
    'xmlns:e="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd" ' +
    'xmlns:f="http://schemas.dmtf.org/wbem/wsman/1/cimbinding.xsd" ' +
    `xmlns:g="${resourceUri}" ` +
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">' +
    '<a:Header>' +
    '<b:To>http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</b:To>' +
    `<b:RelatesTo>${relatesTo}</b:RelatesTo>` +
    `<b:Action a:mustUnderstand="true">${action}</b:Action>` +
    `<b:MessageID>uuid:${randomUUID()}</b:MessageID>` +
    `<c:ResourceURI>${resourceUri}</c:ResourceURI>` +
    '</a:Header>' +
    `<a:Body>${body}</a:Body>` +
    '</a:Envelope>'
  );
}

function fault(relatesTo: string, code: string, reason: string): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>' +
    '<a:Envelope xmlns:a="http://www.w3.org/2003/05/soap-envelope" ' +
    'xmlns:b="http://schemas.xmlsoap.org/ws/2004/08/addressing">' +
    '<a:Header><b:To>http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</b:To>' +
    `<b:RelatesTo>${relatesTo}</b:RelatesTo>` +
    '<b:Action a:mustUnderstand="true">http://schemas.dmtf.org/wbem/wsman/1/wsman/fault</b:Action>' +
    `<b:MessageID>uuid:${randomUUID()}</b:MessageID></a:Header>` +
    '<a:Body><a:Fault><a:Code><a:Value>a:Sender</a:Value><a:Subcode>' +
    `<a:Value>${code}</a:Value></a:Subcode></a:Code>` +
    `<a:Reason><a:Text xml:lang="en-US">${reason}</a:Text></a:Reason></a:Fault></a:Body></a:Envelope>`
  );
}

export function handleWsman(d: Device, xml: string): WsmanReply {
  const action = tag(xml, 'Action') ?? '';
  const resourceUri = tag(xml, 'ResourceURI') ?? '';
  const messageId = tag(xml, 'MessageID') ?? 'uuid:00000000-0000-0000-0000-000000000000';
  const cls = resourceUri.split('/').pop() ?? '';
  const fwParts = d.firmware.split('.');

  if (action === XFER + 'Get') {
    if (cls === 'CIM_SoftwareIdentity') {
      const body =
        '<g:CIM_SoftwareIdentity><g:InstanceID>AMT</g:InstanceID><g:IsEntity>true</g:IsEntity>' +
        `<g:VersionString>${fwParts.slice(0, 3).join('.')}</g:VersionString></g:CIM_SoftwareIdentity>`;
      return { status: 200, body: envelope(XFER + 'GetResponse', messageId, resourceUri, body), what: `${cls} Get` };
    }
    if (cls === 'AMT_GeneralSettings') {
      const body =
        '<g:AMT_GeneralSettings><g:AMTNetworkEnabled>1</g:AMTNetworkEnabled>' +
        `<g:DDNSPeriodicUpdateInterval>1440</g:DDNSPeriodicUpdateInterval><g:DDNSTTL>900</g:DDNSTTL>` +
        `<g:DDNSUpdateByDHCPServerEnabled>true</g:DDNSUpdateByDHCPServerEnabled><g:DDNSUpdateEnabled>false</g:DDNSUpdateEnabled>` +
        `<g:DHCPv6ConfigurationTimeout>0</g:DHCPv6ConfigurationTimeout>` +
        `<g:DigestRealm>${d.realm}</g:DigestRealm>` +
        `<g:DomainName>${d.domain}</g:DomainName><g:ElementName>Intel(r) AMT: General Settings</g:ElementName>` +
        `<g:HostName>${d.hostname}</g:HostName><g:HostOSFQDN>${d.hostname}.${d.domain}</g:HostOSFQDN>` +
        '<g:IdleWakeTimeout>65535</g:IdleWakeTimeout><g:InstanceID>Intel(r) AMT: General Settings</g:InstanceID>' +
        '<g:NetworkInterfaceEnabled>true</g:NetworkInterfaceEnabled><g:PingResponseEnabled>true</g:PingResponseEnabled>' +
        '<g:PowerSource>0</g:PowerSource><g:PreferredAddressFamily>0</g:PreferredAddressFamily>' +
        '<g:PresenceNotificationInterval>0</g:PresenceNotificationInterval><g:PrivacyLevel>0</g:PrivacyLevel>' +
        '<g:RmcpPingResponseEnabled>true</g:RmcpPingResponseEnabled><g:SharedFQDN>true</g:SharedFQDN>' +
        '<g:WsmanOnlyMode>false</g:WsmanOnlyMode></g:AMT_GeneralSettings>';
      return { status: 200, body: envelope(XFER + 'GetResponse', messageId, resourceUri, body), what: `${cls} Get` };
    }
    if (cls === 'CIM_AssociatedPowerManagementService') {
      const body =
        '<g:CIM_AssociatedPowerManagementService><g:PowerState>2</g:PowerState>' +
        '<g:RequestedPowerState>2</g:RequestedPowerState></g:CIM_AssociatedPowerManagementService>';
      return { status: 200, body: envelope(XFER + 'GetResponse', messageId, resourceUri, body), what: `${cls} Get` };
    }
  }
  if (cls === 'CIM_PowerManagementService' && action === CIM + 'CIM_PowerManagementService/RequestPowerStateChange') {
    const state = tag(xml, 'PowerState') ?? '?';
    const body = '<g:RequestPowerStateChange_OUTPUT><g:ReturnValue>0</g:ReturnValue></g:RequestPowerStateChange_OUTPUT>';
    return {
      status: 200,
      body: envelope(action + 'Response', messageId, resourceUri, body),
      what: `${cls}.RequestPowerStateChange(PowerState=${state})`,
    };
  }
  if (resourceUri.startsWith(AMT) || resourceUri.startsWith(CIM) || resourceUri.startsWith('http://intel.com/wbem/wscim/1/ips-schema/1/')) {
    return {
      status: 400,
      body: fault(messageId, 'b:ActionNotSupported', 'The action is not supported by the service.'),
      what: `${cls} ${action.split('/').pop() ?? ''} (unsupported)`,
    };
  }
  return { status: 400, body: fault(messageId, 'c:DestinationUnreachable', 'No route can be determined to reach the destination role defined by the WS-Addressing To.'), what: 'bad request' };
}
