import { Etcd3 } from 'etcd3';
import { percentile } from '../stats.js';
import type { RoundResult } from '../load/request-spec.js';

/**
 * Raw etcd3-client puts or gets from this process, `concurrency` operations in flight at once (the
 * same number as the HTTP connections): what one Node process can get out of this etcd, so the KV
 * rows on etcd can be read as a share of it. Values are 256 bytes, about one encrypted KV entry.
 */
export async function rawEtcdRound(options: { endpoints: readonly string[]; prefix: string; op: 'put' | 'get'; concurrency: number; seconds: number }): Promise<RoundResult> {
  const client = new Etcd3({ hosts: [...options.endpoints] });
  const value = 'v'.repeat(256);
  const keys = 1000;
  try {
    if (options.op === 'get') {
      // Gets read keys that exist, like the KV read rows.
      await Promise.all(Array.from({ length: keys }, (_, i) => client.put(`${options.prefix}k${i}`).value(value)));
    }
    const latencies: number[] = [];
    let ok = 0;
    let errors = 0;
    const start = performance.now();
    const end = start + options.seconds * 1000;
    const lane = async (lane: number) => {
      for (let n = lane; performance.now() < end; n += options.concurrency) {
        const key = `${options.prefix}k${n % keys}`;
        const began = performance.now();
        try {
          if (options.op === 'put') await client.put(key).value(value);
          else await client.get(key).string();
          ok++;
        } catch {
          errors++;
        }
        latencies.push(performance.now() - began);
      }
    };
    await Promise.all(Array.from({ length: options.concurrency }, (_, i) => lane(i)));
    const seconds = (performance.now() - start) / 1000;
    return { okPerSecond: ok / seconds, p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99), errors, total: ok + errors, seconds };
  } finally {
    client.close();
  }
}
