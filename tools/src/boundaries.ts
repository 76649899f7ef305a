import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * The dependency rules of the workspace (design.md, "Packages"): arrows point inward to the sdk.
 * Each package may import only the workspace packages listed for it; tests may also use test-only
 * packages. A rule broken in package.json or in any import statement is a violation.
 */
export const ALLOWED: Record<string, { runtime: string[]; test: string[] }> = {
  sdk: { runtime: [], test: [] },
  seal: { runtime: ['sdk'], test: ['testkit'] },
  'storage-file': { runtime: ['sdk'], test: ['testkit'] },
  'storage-etcd': { runtime: ['sdk'], test: ['testkit'] },
  audit: { runtime: ['sdk'], test: ['testkit'] },
  server: { runtime: ['sdk', 'seal', 'storage-file', 'storage-etcd', 'audit'], test: ['testkit'] },
  cli: { runtime: ['sdk', 'server', 'audit', 'agent', 'injector'], test: ['testkit'] },
  agent: { runtime: ['sdk'], test: ['testkit', 'server'] },
  injector: { runtime: ['sdk'], test: ['testkit', 'agent', 'server'] },
  testkit: { runtime: ['sdk'], test: [] },
  e2e: { runtime: ['testkit'], test: ['sdk', 'server', 'cli', 'testkit', 'seal', 'storage-file'] },
  // The benchmark and long fault runs drive a real server through e2e's harness (process starter,
  // HA cluster, fault loops); nothing imports bench.
  bench: { runtime: ['e2e', 'testkit'], test: [] },
};

/** Workspace folders checked besides packages/*: bench/ sits at the root. */
const TOP_LEVEL = ['bench'];

const SCOPE = '@coffer/';
const IMPORT = /(?:from\s+|import\s*\(\s*|import\s+)['"](@coffer\/[^'"]+)['"]/g;

export interface Violation {
  where: string;
  message: string;
}

export function checkBoundaries(root: string): Violation[] {
  const violations: Violation[] = [];
  const packagesDir = join(root, 'packages');
  const workspaces = [
    ...readdirSync(packagesDir).map((name) => ({ name, dir: join(packagesDir, name) })),
    ...TOP_LEVEL.map((name) => ({ name, dir: join(root, name) })),
  ];
  for (const { name, dir } of workspaces) {
    let manifest: { dependencies?: Record<string, string>; devDependencies?: Record<string, string> };
    try {
      manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    } catch {
      continue;
    }
    const rules = ALLOWED[name];
    if (!rules) {
      violations.push({ where: relative(root, dir), message: 'package has no dependency rule in tools/src/boundaries.ts' });
      continue;
    }
    const declared = (deps: Record<string, string> | undefined) =>
      Object.keys(deps ?? {}).filter((d) => d.startsWith(SCOPE)).map((d) => d.slice(SCOPE.length));
    for (const dep of declared(manifest.dependencies)) {
      if (!rules.runtime.includes(dep)) {
        violations.push({ where: `${relative(root, dir)}/package.json`, message: `dependency on ${SCOPE}${dep} is not allowed` });
      }
    }
    for (const dep of declared(manifest.devDependencies)) {
      if (!rules.runtime.includes(dep) && !rules.test.includes(dep)) {
        violations.push({ where: `${relative(root, dir)}/package.json`, message: `devDependency on ${SCOPE}${dep} is not allowed` });
      }
    }
    for (const file of sourceFiles(dir)) {
      const isTest = /\.test\.ts$|\/test\//.test(file) || file.includes('/testing/');
      const text = readFileSync(file, 'utf8');
      for (const match of text.matchAll(IMPORT)) {
        const specifier = match[1] as string;
        const [pkg, ...subpath] = specifier.slice(SCOPE.length).split('/');
        const where = relative(root, file);
        if (pkg === name) {
          violations.push({ where, message: `imports its own package through ${specifier}; use a relative import` });
          continue;
        }
        const allowed = rules.runtime.includes(pkg as string) || (isTest && rules.test.includes(pkg as string));
        if (!allowed) violations.push({ where, message: `imports ${specifier}, which ${name} may not depend on` });
        // Nx orders builds by package.json: an undeclared import compiles only when the other
        // package happens to be built already, so a clean clone fails where a warm tree passes.
        const runtimeDeps = declared(manifest.dependencies);
        const isDeclared = runtimeDeps.includes(pkg as string) || (isTest && declared(manifest.devDependencies).includes(pkg as string));
        if (allowed && !isDeclared) {
          violations.push({ where, message: `imports ${specifier} without declaring it in ${isTest ? 'dependencies or devDependencies' : 'dependencies'}` });
        }
        if (subpath.length && !(subpath.length === 1 && subpath[0] === 'testing')) {
          violations.push({ where, message: `deep import ${specifier}; only the package root and ./testing are public` });
        }
      }
    }
  }
  return violations;
}

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir)) {
    if (entry === 'node_modules' || entry === 'dist') continue;
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
    else if (/\.(ts|mts|js|mjs)$/.test(entry)) out.push(path);
  }
  return out;
}
