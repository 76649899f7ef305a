import type { TemplateConfig } from './agent-config.js';
import { Section } from './section.js';

const TEMPLATE_KEYS = [
  'destination',
  'contents',
  'source',
  'perms',
  'command',
  'command_timeout',
  'exec',
  'error_on_missing_key',
  'left_delimiter',
  'right_delimiter',
  'create_dest_dirs',
];
/** consul-template settings that do not change the rendered content; accepted with a warning. */
const IGNORED_TEMPLATE_KEYS = ['wait', 'backup', 'sandbox_path', 'function_denylist', 'function_blacklist'];

/** Every `template { … }` stanza (repeated blocks, or the injector's JSON list). */
export function parseTemplates(root: Section): TemplateConfig[] {
  const out: TemplateConfig[] = [];
  const destinations = new Map<string, number>();
  for (const loc of root.loc.items('template')) {
    if (!loc.isObject()) {
      root.problems.add(loc.line, '"template" must be a block');
      continue;
    }
    const section = new Section(loc, root.problems, 'template', root.warnings);
    const template = parseTemplate(section);
    if (!template) continue;
    const first = destinations.get(template.destination);
    if (first !== undefined) {
      section.bad('destination', `"${template.destination}" is already the destination of the template at line ${first}`);
      continue;
    }
    destinations.set(template.destination, loc.line);
    out.push(template);
  }
  return out;
}

function parseTemplate(section: Section): TemplateConfig | undefined {
  section.checkKeys(TEMPLATE_KEYS, IGNORED_TEMPLATE_KEYS);
  const destination = section.string('destination', true);
  const contents = section.string('contents');
  const source = section.string('source');
  if (contents !== undefined && source !== undefined) section.bad('contents', 'only one of "source" or "contents" may be given');
  if (contents === undefined && source === undefined) section.problems.add(section.loc.line, 'template: one of "source" or "contents" is required');

  let command = commandOf(section, 'command');
  let commandTimeoutMs = section.durationMs('command_timeout', 30_000);
  const exec = section.sub('exec');
  if (exec) {
    exec.checkKeys(['command', 'timeout']);
    if (command !== undefined) section.bad('exec', 'give either "command" or "exec", not both');
    command = commandOf(exec, 'command');
    commandTimeoutMs = exec.durationMs('timeout', commandTimeoutMs);
  }
  const left = section.string('left_delimiter') ?? '';
  const right = section.string('right_delimiter') ?? '';
  if (destination === undefined) return undefined;
  return {
    destination,
    contents,
    source,
    perms: section.mode('perms'),
    command,
    commandTimeoutMs,
    errorOnMissingKey: section.bool('error_on_missing_key', false),
    leftDelimiter: left === '' ? '{{' : left,
    rightDelimiter: right === '' ? '}}' : right,
    createDestDirs: section.bool('create_dest_dirs', true),
    where: section.problems.where(section.loc.line),
  };
}

/** A command is a string (run by `/bin/sh -c`) or a list of strings (run as argv). */
function commandOf(section: Section, key: string): string | string[] | undefined {
  const loc = section.loc.get(key);
  if (!loc) return undefined;
  // A list of one arrives unwrapped by `get`; look at the raw member instead.
  const value = (section.loc.value as Record<string, unknown>)[key];
  if (typeof value === 'string') return value.trim() === '' ? undefined : value;
  if (Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === 'string')) {
    return value.length === 1 ? (value[0] as string) : (value as string[]);
  }
  section.bad(key, 'must be a string or a list of strings');
  return undefined;
}
