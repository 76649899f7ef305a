import { readdirSync, readFileSync } from 'node:fs';

/** Linux's USER_HZ: /proc/<pid>/stat counts CPU time in these ticks. */
export const CLOCK_TICKS_PER_SECOND = 100;

export interface ProcessStat {
  pid: number;
  /** The executable's name (`comm`), which a process retitling its argv does not change. */
  name: string;
  parentPid: number;
  /** User plus system CPU time, in ticks. */
  cpuTicks: number;
}

/**
 * Parses one /proc/<pid>/stat line. The name sits in parentheses and may itself hold spaces or
 * parentheses, so the fields are counted from the last `)`: ppid is field 4, utime 14, stime 15.
 */
export function parseStat(text: string): ProcessStat {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  const fields = text.slice(close + 2).split(' ');
  return {
    pid: Number(text.slice(0, open).trim()),
    name: text.slice(open + 1, close),
    parentPid: Number(fields[1]),
    cpuTicks: Number(fields[11]) + Number(fields[12]),
  };
}

export function readStat(pid: number): ProcessStat | undefined {
  try {
    return parseStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined; // gone between the listing and the read
  }
}

/** CPU ticks (user + system) the process has used so far. */
export function cpuTicks(pid: number): number {
  return readStat(pid)?.cpuTicks ?? NaN;
}

function commandLine(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  } catch {
    return [];
  }
}

/**
 * The PostgreSQL server listening on `port` and every process it forked (backends, WAL writer,
 * checkpointer): the postmaster is the `postgres` process started with `-p <port>`. Found by
 * port so another PostgreSQL on the machine is never counted.
 */
export function postgresFamily(processes: readonly ProcessStat[], port: number, argsOf: (pid: number) => string[]): number[] {
  const postmaster = processes.find((p) => {
    if (p.name !== 'postgres') return false;
    const args = argsOf(p.pid);
    const at = args.indexOf('-p');
    return at >= 0 && args[at + 1] === String(port);
  });
  if (!postmaster) return [];
  return [postmaster.pid, ...processes.filter((p) => p.parentPid === postmaster.pid).map((p) => p.pid)];
}

function allProcesses(): ProcessStat[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .map((entry) => readStat(Number(entry)))
    .filter((stat): stat is ProcessStat => stat !== undefined);
}

/**
 * CPU ticks used so far by the PostgreSQL on `port`, all its processes together. A backend that
 * exits takes its ticks with it; the connections measured here (pools) stay open for the round.
 */
export function postgresCpuTicks(port: number): number {
  const processes = allProcesses();
  const family = new Set(postgresFamily(processes, port, commandLine));
  return processes.filter((p) => family.has(p.pid)).reduce((sum, p) => sum + p.cpuTicks, 0);
}
