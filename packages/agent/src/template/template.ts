import type { ParsedTemplate } from './ast.js';
import { execute, type MissingKey } from './exec.js';
import type { FuncMap, TemplateFunc } from './func-def.js';
import { builtinFuncs } from './funcs-builtin.js';
import type { Delimiters } from './lexer.js';
import { parseTemplate } from './parser.js';

export interface CompileOptions {
  /** Shown in errors: `template: NAME:line:col: …`. */
  name: string;
  /** Functions beyond Go's builtins; they are known at parse time, as Go requires. */
  funcs?: FuncMap;
  delims?: Partial<Delimiters>;
}

export interface RenderOptions {
  missingKey?: MissingKey;
  /** Replaces functions of the same name for this render only (the Vault functions per render). */
  funcs?: FuncMap;
  data?: unknown;
}

export interface CompiledTemplate {
  readonly name: string;
  render(options?: RenderOptions): Promise<string>;
}

/** Parses once (syntax errors surface here), renders any number of times. */
export function compileTemplate(source: string, options: CompileOptions): CompiledTemplate {
  const base = new Map<string, TemplateFunc>([...builtinFuncs(), ...(options.funcs ?? [])]);
  const delims: Delimiters = {
    left: options.delims?.left || '{{',
    right: options.delims?.right || '}}',
  };
  const parsed: ParsedTemplate = parseTemplate(source, options.name, new Set(base.keys()), delims);
  return {
    name: options.name,
    render: (render = {}) =>
      execute(parsed, {
        funcs: render.funcs ? new Map([...base, ...render.funcs]) : base,
        missingKey: render.missingKey ?? 'zero',
        ...(render.data !== undefined ? { data: render.data } : {}),
      }),
  };
}
