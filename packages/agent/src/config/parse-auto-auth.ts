import type { AuthMethodConfig, AutoAuthConfig, FileSinkConfig } from './agent-config.js';
import { Located } from './located.js';
import { Section } from './section.js';

const DEFAULT_TOKEN_PATH = '/var/run/secrets/kubernetes.io/serviceaccount/token';
const METHOD_KEYS = ['type', 'mount_path', 'namespace', 'min_backoff', 'max_backoff', 'exit_on_err', 'config'];

/** `auto_auth { method … { } sink … { } }`, both in the labelled form and with `type = …`. */
export function parseAutoAuth(root: Section): AutoAuthConfig | undefined {
  const section = root.sub('auto_auth');
  if (!section) return undefined;
  section.checkKeys(['method', 'sink', 'sinks'], ['enable_reauth_on_new_credentials']);
  const methods = typedBlocks(section, 'method');
  if (methods.length === 0) {
    section.missing('method');
    return undefined;
  }
  if (methods.length > 1) section.bad('method', 'only one auth method may be configured');
  const method = parseMethod(methods[0] as TypedBlock);
  const sinks = [...typedBlocks(section, 'sink'), ...typedBlocks(section, 'sinks')].map(parseSink);
  if (!method || sinks.some((s) => s === undefined)) return undefined;
  return { method, sinks: sinks as FileSinkConfig[] };
}

interface TypedBlock {
  type: string | undefined;
  section: Section;
}

/**
 * `method "kubernetes" { … }` arrives from hcl2json as {kubernetes: [body]}; `method { type = … }`
 * (and the injector's JSON) as a body, or a list of bodies, holding `type`.
 */
function typedBlocks(parent: Section, key: string): TypedBlock[] {
  const out: TypedBlock[] = [];
  for (const item of parent.loc.items(key)) {
    if (!item.isObject()) {
      parent.bad(key, 'must be a block');
      continue;
    }
    const asSection = (loc: Located, type: string | undefined) => ({ type, section: new Section(loc, parent.problems, `${parent.name}.${key}`, parent.warnings) });
    if (item.has('type') || item.keys().length !== 1 || !Array.isArray((item.value as Record<string, unknown>)[item.keys()[0] as string])) {
      const typed = asSection(item, undefined);
      out.push({ ...typed, type: typed.section.string('type', true) });
    } else {
      const label = item.keys()[0] as string;
      for (const body of item.items(label)) out.push(asSection(body, label));
    }
  }
  return out;
}

function parseMethod(block: TypedBlock): AutoAuthConfig['method'] | undefined {
  const { section } = block;
  section.checkKeys(METHOD_KEYS);
  const config = section.sub('config') ?? new Section(new Located({}, section.loc.line, []), section.problems, `${section.name}.config`, section.warnings);
  let specific: AuthMethodConfig | undefined;
  switch (block.type) {
    case 'kubernetes':
      config.checkKeys(['role', 'token_path']);
      specific = { type: 'kubernetes', role: config.string('role', true) ?? '', tokenPath: config.string('token_path') ?? DEFAULT_TOKEN_PATH };
      break;
    case 'approle':
      config.checkKeys(['role_id_file_path', 'secret_id_file_path', 'remove_secret_id_file_after_reading']);
      specific = {
        type: 'approle',
        roleIdFilePath: config.string('role_id_file_path', true) ?? '',
        secretIdFilePath: config.string('secret_id_file_path'),
        // Vault's default: the secret ID file is consumed.
        removeSecretIdFileAfterReading: config.bool('remove_secret_id_file_after_reading', true),
      };
      break;
    case 'jwt':
      config.checkKeys(['path', 'role', 'remove_jwt_after_reading'], ['remove_jwt_follows_symlinks', 'jwt_read_period']);
      specific = {
        type: 'jwt',
        path: config.string('path', true) ?? '',
        role: config.string('role', true) ?? '',
        removeJwtAfterReading: config.bool('remove_jwt_after_reading', true),
      };
      break;
    case undefined:
      return undefined;
    default:
      section.problems.add(section.loc.line, `auth method "${block.type}" is not supported (expected kubernetes, approle or jwt)`);
      return undefined;
  }
  let mountPath = (section.string('mount_path') ?? `auth/${block.type}`).replace(/^\/+|\/+$/g, '');
  // A mount path without `auth/` is a classic mistake (vault-k8s#75): the login would hit a secrets path.
  if (!mountPath.startsWith('auth/')) {
    section.warnings.push(`${section.problems.where(section.loc.keyLine('mount_path'))}: mount_path "${mountPath}" has no "auth/" prefix; using "auth/${mountPath}"`);
    mountPath = `auth/${mountPath}`;
  }
  const minBackoffMs = section.durationMs('min_backoff', 1000);
  const maxBackoffMs = section.durationMs('max_backoff', 5 * 60_000);
  if (minBackoffMs <= 0) section.bad('min_backoff', 'must be longer than zero');
  if (minBackoffMs >= maxBackoffMs) section.bad('max_backoff', 'must be longer than min_backoff');
  return {
    ...specific,
    mountPath,
    namespace: section.string('namespace'),
    minBackoffMs,
    maxBackoffMs,
    exitOnErr: section.bool('exit_on_err', false),
  };
}

function parseSink(block: TypedBlock): FileSinkConfig | undefined {
  const { section } = block;
  section.checkKeys(['type', 'config']);
  if (block.type === undefined) return undefined;
  if (block.type !== 'file') {
    section.problems.add(section.loc.line, `sink type "${block.type}" is not supported (expected file)`);
    return undefined;
  }
  const config = section.sub('config');
  if (!config) return section.missing('config');
  config.checkKeys(['path', 'mode']);
  const path = config.string('path', true);
  const mode = config.mode('mode') ?? 0o640;
  if (path === undefined) return undefined;
  return { type: 'file', path, mode };
}
