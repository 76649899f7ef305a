import type { Storage } from '@coffer/sdk';
import type { Metrics } from './metrics.js';

/** Times every physical storage call (what the barrier and everything above it wait for). */
export function meteredStorage<S extends Storage>(inner: S, metrics: Metrics): S {
  const time = <T>(op: string, work: () => Promise<T>): Promise<T> => {
    const end = metrics.storageSeconds.startTimer({ op });
    return work().finally(() => end());
  };
  return new Proxy(inner, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (typeof value !== 'function') return value;
      if (property === 'get' || property === 'put' || property === 'delete' || property === 'list' || property === 'batch') {
        return (...args: unknown[]) => time(property, () => (value as (...a: unknown[]) => Promise<unknown>).apply(target, args));
      }
      return (value as (...a: unknown[]) => unknown).bind(target);
    },
  });
}
