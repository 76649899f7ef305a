import { describe, expect, it } from 'vitest';
import { parseStat, postgresFamily, type ProcessStat } from './process-cpu.js';

describe('parseStat', () => {
  it('reads the name, parent and user + system ticks, even with spaces and parentheses in the name', () => {
    const tail = 'S 41 42 42 0 -1 4194560 100 0 0 0 250 75 0 0 20 0 1 0 1000 1000 100';
    expect(parseStat(`123 (node) ${tail}`)).toEqual({ pid: 123, name: 'node', parentPid: 41, cpuTicks: 325 });
    expect(parseStat(`7 (a (b) c) ${tail}`)).toMatchObject({ pid: 7, name: 'a (b) c', parentPid: 41, cpuTicks: 325 });
  });
});

describe('postgresFamily', () => {
  const stat = (pid: number, name: string, parentPid: number): ProcessStat => ({ pid, name, parentPid, cpuTicks: 0 });
  const processes = [stat(1, 'init', 0), stat(10, 'postgres', 1), stat(11, 'postgres', 10), stat(12, 'postgres', 10), stat(20, 'postgres', 1), stat(21, 'postgres', 20), stat(30, 'node', 1)];
  const args: Record<number, string[]> = { 10: ['postgres', '-D', '/a', '-p', '5433'], 20: ['postgres', '-D', '/b', '-p', '5434'] };
  const argsOf = (pid: number) => args[pid] ?? ['postgres: idle'];

  it('is the postmaster started on that port and the processes it forked, not another cluster', () => {
    expect(postgresFamily(processes, 5433, argsOf)).toEqual([10, 11, 12]);
    expect(postgresFamily(processes, 5434, argsOf)).toEqual([20, 21]);
  });

  it('is empty when nothing listens on that port', () => {
    expect(postgresFamily(processes, 9999, argsOf)).toEqual([]);
  });
});
