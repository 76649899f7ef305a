import type { Engine, Handler, LogicalRequest, Operation, PathDef } from '../engine.js';
import { CofferError } from '../errors.js';
import { parseFields } from './fields.js';

/** An engine with its path patterns compiled once, at mount time. */
export interface CompiledEngine {
  readonly engine: Engine;
  /** The first path whose pattern matches, with its named captures. */
  match(path: string): { def: PathDef; params: Record<string, string> } | undefined;
  isUnauthenticated(path: string): boolean;
  isSudo(path: string): boolean;
}

export function compileEngine(engine: Engine): CompiledEngine {
  const compiled = engine.paths.map((def) => ({ def, regex: new RegExp(`^(?:${def.pattern})$`, 'u') }));
  const unauthenticated = engine.unauthenticatedPaths ?? [];
  const sudo = engine.sudoPaths ?? [];
  return {
    engine,
    match(path) {
      for (const { def, regex } of compiled) {
        const m = regex.exec(path);
        if (m) return { def, params: { ...(m.groups ?? {}) } };
      }
      return undefined;
    },
    isUnauthenticated: (path) => unauthenticated.some((glob) => globMatch(glob, path)),
    isSudo: (path) => sudo.some((glob) => globMatch(glob, path)),
  };
}

/** Vault's special-path globs: a trailing `*` is a prefix match, anything else is exact. */
export function globMatch(glob: string, path: string): boolean {
  return glob.endsWith('*') ? path.startsWith(glob.slice(0, -1)) : path === glob;
}

/** A request matched to one path of an engine, with its operation settled (create vs update). */
export interface RoutedRequest {
  def: PathDef;
  handler: Handler;
  request: LogicalRequest;
}

export interface RouteInput {
  id: string;
  operation: Operation;
  path: string;
  data: Record<string, unknown>;
  auth?: LogicalRequest['auth'];
  remoteAddress?: string;
  signal?: AbortSignal;
}

/**
 * Matches the path, parses its fields and settles the operation: a write becomes `create` when the
 * path's existence check says nothing is there (ACLs distinguish the two). Throws `unsupported_path`
 * or `unsupported_operation` as Vault does.
 */
export async function routeRequest(engine: CompiledEngine, input: RouteInput): Promise<RoutedRequest> {
  const matched = engine.match(input.path);
  if (!matched) throw new CofferError('unsupported_path', `unsupported path`);
  const { def, params } = matched;
  const fields = parseFields(def.fields ?? {}, { ...input.data, ...params });
  const request: LogicalRequest = {
    id: input.id,
    operation: input.operation,
    path: input.path,
    params,
    fields,
    data: input.data,
    ...(input.auth ? { auth: input.auth } : {}),
    ...(input.remoteAddress !== undefined ? { remoteAddress: input.remoteAddress } : {}),
    ...(input.signal ? { signal: input.signal } : {}),
  };
  if ((request.operation === 'update' || request.operation === 'create') && def.exists) {
    request.operation = (await def.exists(request)) ? 'update' : 'create';
  }
  const handler =
    def.operations[request.operation] ?? (request.operation === 'create' ? def.operations.update : undefined);
  if (!handler) throw new CofferError('unsupported_operation', 'unsupported operation');
  return { def, handler, request };
}
