/** The parts of a V8 .cpuprofile (what `node --cpu-prof` writes) that self time needs. */
export interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface SelfTime {
  name: string;
  ms: number;
  share: number;
}

export interface ProfileSummary {
  /** Sampled time inside the window, idle included. */
  totalMs: number;
  functions: SelfTime[];
  /** Self time by where the code lives: a Coffer package, an npm package, a Node subsystem, GC. */
  components: SelfTime[];
}

/** `coffer/audit`, `fastify`, `node:http`, `(garbage collector)`, `(native)`… */
export function componentOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const pkg = url.match(/\/packages\/([^/]+)\//);
  if (pkg) return `coffer/${pkg[1]}`;
  const dep = url.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/);
  if (dep) return dep[1] as string;
  if (url.startsWith('node:')) {
    const id = url.slice(5).replace(/^internal\//, '').split('/')[0] as string;
    return `node:${id.replace(/^_/, '').replace(/_.*$/, '')}`;
  }
  return url;
}

function top(map: Map<string, number>, totalMs: number, count: number): SelfTime[] {
  return [...map]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name, us]) => ({ name, ms: Math.round(us / 1000), share: totalMs ? us / 1000 / totalMs : 0 }));
}

/**
 * Self time per function and per component, counting only samples taken between `fromUs` and
 * `toUs` (the profile's monotonic clock, the same as process.hrtime on Linux), so server start-up
 * and seeding do not drown the hot path. Without a window, or if none of it overlaps, all samples.
 */
export function summariseCpuProfile(profile: CpuProfile, window?: { fromUs: number; toUs: number }, count = 15): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const collect = (inWindow: (t: number) => boolean) => {
    const functions = new Map<string, number>();
    const components = new Map<string, number>();
    let totalUs = 0;
    let t = profile.startTime;
    for (let i = 0; i < profile.samples.length; i++) {
      const delta = profile.timeDeltas[i] ?? 0;
      t += delta;
      if (!inWindow(t)) continue;
      const frame = byId.get(profile.samples[i] as number)?.callFrame;
      if (!frame) continue;
      totalUs += delta;
      const where = frame.url ? ` ${frame.url.replace(/^.*\/(packages|node_modules)\//, '').replace(/^file:\/\//, '')}:${frame.lineNumber + 1}` : '';
      const fn = `${frame.functionName || '(anonymous)'}${where}`;
      functions.set(fn, (functions.get(fn) ?? 0) + delta);
      const component = componentOf(frame.url, frame.functionName);
      components.set(component, (components.get(component) ?? 0) + delta);
    }
    return { functions, components, totalUs };
  };
  let data = window ? collect((t) => t >= window.fromUs && t <= window.toUs) : collect(() => true);
  if (data.totalUs === 0) data = collect(() => true);
  const totalMs = data.totalUs / 1000;
  return { totalMs, functions: top(data.functions, totalMs, count), components: top(data.components, totalMs, count) };
}

export function summaryLines(title: string, summary: ProfileSummary): string[] {
  const pct = (s: number) => `${(s * 100).toFixed(1)}%`.padStart(6);
  return [
    `${title} — ${Math.round(summary.totalMs)} ms sampled`,
    '',
    'By component (self time):',
    '',
    ...summary.components.map((c) => `    ${pct(c.share)}  ${c.name}`),
    '',
    'Top functions (self time):',
    '',
    ...summary.functions.map((f) => `    ${pct(f.share)}  ${f.name}`),
  ];
}
