import { fn, type TemplateFunc } from '../src/template/func-def.js';
import { consulHelperFuncs } from '../src/template/funcs-consul.js';
import { compileTemplate, type RenderOptions } from '../src/template/template.js';

/** Renders `source` with consul-template's helpers (env from `env`) and optional extra functions. */
export async function render(
  source: string,
  data?: unknown,
  options: { env?: Record<string, string>; funcs?: Map<string, TemplateFunc>; missingKey?: RenderOptions['missingKey']; delims?: { left: string; right: string } } = {},
): Promise<string> {
  const funcs = new Map([...consulHelperFuncs(options.env ?? {}), ...(options.funcs ?? [])]);
  const compiled = compileTemplate(source, { name: 'test', funcs, ...(options.delims ? { delims: options.delims } : {}) });
  return compiled.render({ ...(data !== undefined ? { data } : {}), ...(options.missingKey ? { missingKey: options.missingKey } : {}) });
}

export { fn };
