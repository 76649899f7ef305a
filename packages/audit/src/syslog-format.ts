import { hostname } from 'node:os';

export const SYSLOG_SEVERITY_INFO = 6;

export interface SyslogHeader {
  /** The facility's code (AUTH = 4). */
  facility: number;
  severity?: number;
  hostname?: string;
  /** APP-NAME: the device's `tag`. */
  appName: string;
  procId?: string;
}

/**
 * One RFC 5424 message: `<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID SD MSG`, with no MSGID
 * and no structured data (`-`), and the audit line as MSG. Header fields are limited to printable
 * US-ASCII and their RFC lengths; the timestamp has microseconds, the most RFC 5424 allows.
 */
export function formatSyslogMessage(message: string, header: SyslogHeader, epochNs: bigint): string {
  const pri = header.facility * 8 + (header.severity ?? SYSLOG_SEVERITY_INFO);
  const host = headerField(header.hostname ?? hostname(), 255);
  const app = headerField(header.appName, 48);
  const proc = headerField(header.procId ?? String(process.pid), 128);
  return `<${pri}>1 ${syslogTimestamp(epochNs)} ${host} ${app} ${proc} - - ${message}`;
}

/** RFC 6587 octet counting, for syslog over TCP: `LENGTH SP MESSAGE`. */
export function frameOctetCounted(message: string): string {
  return `${Buffer.byteLength(message, 'utf8')} ${message}`;
}

function syslogTimestamp(epochNs: bigint): string {
  const seconds = new Date(Number(epochNs / 1_000_000n)).toISOString().slice(0, 19);
  const micros = String((epochNs % 1_000_000_000n) / 1000n).padStart(6, '0');
  return `${seconds}.${micros}Z`;
}

function headerField(value: string, max: number): string {
  const clean = value.replace(/[^\x21-\x7e]/g, '_').slice(0, max);
  return clean === '' ? '-' : clean;
}
