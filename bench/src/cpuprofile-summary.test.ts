import { describe, expect, it } from 'vitest';
import { componentOf, summariseCpuProfile, type CpuProfile } from './cpuprofile-summary.js';

const frame = (id: number, functionName: string, url: string) => ({ id, callFrame: { functionName, url, lineNumber: 9 } });

// Samples at t = 1000 + 100·k µs: node 2 (audit) four times, then node 3 (GC) twice, then idle.
const profile: CpuProfile = {
  nodes: [frame(1, '(root)', ''), frame(2, 'hashEntry', 'file:///work/main/packages/audit/dist/hash-data.js'), frame(3, '(garbage collector)', ''), frame(4, '(idle)', '')],
  startTime: 1000,
  endTime: 2000,
  samples: [2, 2, 2, 2, 3, 3, 4, 4, 4, 4],
  timeDeltas: [100, 100, 100, 100, 100, 100, 100, 100, 100, 100],
};

describe('cpuprofile summary', () => {
  it('names components by where the code lives', () => {
    expect(componentOf('file:///w/packages/server/dist/core/barrier.js', 'decrypt')).toBe('coffer/server');
    expect(componentOf('file:///w/node_modules/fastify/lib/route.js', 'x')).toBe('fastify');
    expect(componentOf('file:///w/node_modules/@grpc/grpc-js/build/src/call.js', 'x')).toBe('@grpc/grpc-js');
    expect(componentOf('node:internal/crypto/hash', 'Hash')).toBe('node:crypto');
    expect(componentOf('node:_http_server', 'x')).toBe('node:http');
    expect(componentOf('', '(garbage collector)')).toBe('(garbage collector)');
    expect(componentOf('', 'writeBuffer')).toBe('(native)');
  });

  it('adds up self time per function and component, inside the load window only', () => {
    const all = summariseCpuProfile(profile);
    expect(all.totalMs).toBeCloseTo(1);
    expect(all.components[0]).toMatchObject({ name: 'coffer/audit', share: 0.4 });
    expect(all.functions[0]?.name).toBe('hashEntry audit/dist/hash-data.js:10');

    // Window 1450..1650 µs holds the samples at 1500 and 1600: both GC.
    const window = summariseCpuProfile(profile, { fromUs: 1450, toUs: 1650 });
    expect(window.components).toEqual([{ name: '(garbage collector)', ms: 0, share: 1 }]);

    // A window outside the profile falls back to every sample rather than an empty summary.
    expect(summariseCpuProfile(profile, { fromUs: 9000, toUs: 9500 }).totalMs).toBeCloseTo(1);
  });
});
