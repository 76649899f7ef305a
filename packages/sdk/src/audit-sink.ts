/**
 * Where audit entries go (file, socket, syslog). The audit broker formats each entry for the sink
 * (HMAC with the device's salt, JSON line) and hands over the finished line; the sink writes it
 * durably enough for its kind and resolves only then. A sink must honour `signal` (the broker's
 * per-sink timeout) and never hang past it.
 */
export interface AuditSink {
  /** e.g. `file`, `socket`, `syslog`. */
  readonly type: string;
  write(line: string, options: { signal: AbortSignal }): Promise<void>;
  /** Reopens files after rotation (SIGHUP). */
  reopen?(): Promise<void>;
  close(): Promise<void>;
}
