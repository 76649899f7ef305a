import { connect } from 'node:net';

/** How one raw exchange ended: the status codes answered, or why there were none. */
export interface RawOutcome {
  statuses: number[];
  /** `answered`, or: `closed` (closed without an answer), `reset`, `refused` (nothing listening), `timeout`. */
  end: 'answered' | 'closed' | 'reset' | 'refused' | 'timeout';
}

const STATUS_LINE = /(?:^|\r\n)HTTP\/1\.[01] (\d{3}) /g;

/**
 * Sends raw bytes on a fresh loopback connection and collects what comes back until the server
 * closes, goes quiet after answering, or the bound runs out. Raw sockets, because a client library
 * would refuse to send most of what the fuzzer builds.
 */
export function rawExchange(port: number, bytes: Buffer, options: { halfClose: boolean; timeoutMs?: number }): Promise<RawOutcome> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    const chunks: Buffer[] = [];
    let settled = false;
    let quiet: NodeJS.Timeout | undefined;
    const statuses = () => [...Buffer.concat(chunks).toString('latin1').matchAll(STATUS_LINE)].map((m) => Number(m[1]));
    const finish = (end: RawOutcome['end']) => {
      if (settled) return;
      settled = true;
      clearTimeout(bound);
      clearTimeout(quiet);
      socket.destroy();
      const seen = statuses();
      resolve({ statuses: seen, end: seen.length ? 'answered' : end });
    };
    const bound = setTimeout(() => finish('timeout'), options.timeoutMs ?? 20_000);
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      // A keep-alive answer never closes: once something came back, a short silence ends it.
      clearTimeout(quiet);
      quiet = setTimeout(() => finish('answered'), 300);
    });
    socket.on('end', () => finish('closed'));
    socket.on('close', () => finish('closed'));
    socket.on('error', (error: NodeJS.ErrnoException) => finish(error.code === 'ECONNREFUSED' ? 'refused' : 'reset'));
    socket.on('connect', () => {
      socket.write(bytes, () => {
        if (options.halfClose) socket.end();
      });
    });
  });
}
