import type { AuditSink } from '@coffer/sdk';
import { SYSLOG_FACILITIES } from './device-options.js';
import { LocalSyslogTransport } from './local-syslog.js';
import { createNanoClock } from './rfc3339.js';
import { SocketSink } from './socket-sink.js';
import { formatSyslogMessage, frameOctetCounted, type SyslogHeader } from './syslog-format.js';

export interface SyslogSinkOptions {
  /** Facility name (`AUTH`, `LOCAL0`…), default AUTH. */
  facility?: string;
  /** APP-NAME, default `coffer`. */
  tag?: string;
  /** A remote receiver `host:port`; without it, the local socket at `socketPath`. */
  address?: string | undefined;
  /** Transport to `address`: `udp` (RFC 5426, one message per datagram) or `tcp` (RFC 6587 octet counting). */
  socketType?: 'udp' | 'tcp';
  socketPath?: string;
  /** Bound on each send, in ms (default 2000). */
  writeTimeoutMs?: number;
  hostname?: string;
  now?: () => bigint;
}

/** Sends each entry as an RFC 5424 message at severity INFO, to the local syslog or a remote receiver. */
export class SyslogSink implements AuditSink {
  readonly type = 'syslog';
  readonly #header: SyslogHeader;
  readonly #now: () => bigint;
  readonly #transport: AuditSink;

  constructor(options: SyslogSinkOptions = {}) {
    const facility = SYSLOG_FACILITIES[(options.facility ?? 'AUTH').toUpperCase()];
    if (facility === undefined) throw new Error(`unknown syslog facility "${options.facility}"`);
    this.#header = {
      facility,
      appName: options.tag ?? 'coffer',
      ...(options.hostname ? { hostname: options.hostname } : {}),
    };
    this.#now = options.now ?? createNanoClock();
    const timeoutMs = options.writeTimeoutMs ?? 2000;
    if (options.address) {
      const tcp = options.socketType === 'tcp';
      this.#transport = new SocketSink(
        {
          address: options.address,
          socketType: tcp ? 'tcp' : 'udp',
          writeTimeoutMs: timeoutMs,
          frame: tcp ? frameOctetCounted : (message) => message,
        },
        'syslog',
      );
    } else {
      this.#transport = new LocalSyslogTransport(options.socketPath ?? '/dev/log', timeoutMs);
    }
  }

  write(line: string, options: { signal: AbortSignal }): Promise<void> {
    return this.#transport.write(formatSyslogMessage(line, this.#header, this.#now()), options);
  }

  close(): Promise<void> {
    return this.#transport.close();
  }
}
