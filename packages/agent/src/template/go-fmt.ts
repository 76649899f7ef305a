import { goQuote } from './go-quote.js';
import { GoStruct, goTypeName, isGoMap, sortedKeys } from './values.js';

/**
 * Go's fmt for the values a template handles: `%v` (what `{{ . }}` prints), and Sprintf's verbs
 * with flags, width and precision, including Go's in-band errors (`%!d(string=x)`, `%!s(MISSING)`,
 * `%!(EXTRA …)`), so templates print what Vault Agent would.
 */
export function formatValue(value: unknown, plus = false, depth = 0): string {
  if (value === undefined || value === null) return '<nil>';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return formatNumber(value);
  if (typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `[${value.map((v) => formatValue(v, plus, depth + 1)).join(' ')}]`;
  if (value instanceof GoStruct) {
    const parts = [...value.fields].map(([k, v]) => (plus ? `${k}:` : '') + formatValue(v, plus, depth + 1));
    return `${value.typeName.startsWith('*') ? '&' : ''}{${parts.join(' ')}}`;
  }
  if (isGoMap(value)) {
    return `map[${sortedKeys(value)
      .map((k) => `${k}:${formatValue(value[k], plus, depth + 1)}`)
      .join(' ')}]`;
  }
  return String(value);
}

/** Integers print plainly; other numbers as Go's %g with the shortest representation. */
export function formatNumber(n: number): string {
  if (Number.isInteger(n) && Math.abs(n) < 1e21) return Object.is(n, -0) ? '0' : n.toFixed(0);
  return formatG(n, -1, false);
}

/** fmt.Sprint: operands joined, with a space between two operands when neither is a string. */
export function sprint(args: readonly unknown[]): string {
  let out = '';
  args.forEach((arg, i) => {
    if (i > 0 && typeof arg !== 'string' && typeof args[i - 1] !== 'string') out += ' ';
    out += formatValue(arg);
  });
  return out;
}

/** fmt.Sprintln: spaces always, and a newline. */
export function sprintln(args: readonly unknown[]): string {
  return `${args.map((a) => formatValue(a)).join(' ')}\n`;
}

interface Spec {
  minus: boolean;
  plus: boolean;
  space: boolean;
  zero: boolean;
  sharp: boolean;
  width: number | undefined;
  prec: number | undefined;
}

export function sprintf(format: string, args: readonly unknown[]): string {
  let out = '';
  let argIndex = 0;
  const spec = /%([-+ 0#]*)(\*|\d+)?(?:\.(\*|\d*))?(.|$)/gsy;
  let at = 0;
  while (at < format.length) {
    const percent = format.indexOf('%', at);
    if (percent < 0) {
      out += format.slice(at);
      break;
    }
    out += format.slice(at, percent);
    spec.lastIndex = percent;
    const m = spec.exec(format) as RegExpExecArray;
    at = spec.lastIndex;
    const flags = m[1] ?? '';
    const takeStar = (text: string | undefined): number | undefined => {
      if (text === undefined || text === '') return text === '' ? 0 : undefined;
      if (text !== '*') return Number(text);
      const n = args[argIndex++];
      return typeof n === 'number' ? n : undefined;
    };
    const s: Spec = {
      minus: flags.includes('-'),
      plus: flags.includes('+'),
      space: flags.includes(' '),
      zero: flags.includes('0'),
      sharp: flags.includes('#'),
      width: takeStar(m[2]),
      prec: takeStar(m[3]),
    };
    const verb = m[4] ?? '';
    if (verb === '') {
      out += '%!(NOVERB)';
      continue;
    }
    if (verb === '%') {
      out += '%';
      continue;
    }
    if (argIndex >= args.length) {
      out += `%!${verb}(MISSING)`;
      continue;
    }
    out += pad(formatVerb(verb, args[argIndex++], s), s, verb);
  }
  if (argIndex < args.length) {
    const extra = args.slice(argIndex).map((a) => (a === null || a === undefined ? '<nil>' : `${goTypeName(a)}=${formatValue(a)}`));
    out += `%!(EXTRA ${extra.join(', ')})`;
  }
  return out;
}

function pad(text: string, s: Spec, verb: string): string {
  const width = s.width ?? 0;
  const length = [...text].length;
  if (length >= width) return text;
  if (s.minus) return text + ' '.repeat(width - length);
  if (s.zero && 'dfFeEgGxXob'.includes(verb)) {
    const sign = /^[+\- ]/.test(text) ? (text[0] as string) : '';
    return sign + '0'.repeat(width - length) + text.slice(sign.length);
  }
  return ' '.repeat(width - length) + text;
}

function bad(verb: string, value: unknown): string {
  if (value === null || value === undefined) return `%!${verb}(<nil>)`;
  return `%!${verb}(${goTypeName(value)}=${formatValue(value)})`;
}

function formatVerb(verb: string, value: unknown, s: Spec): string {
  if (verb === 'T') return goTypeName(value);
  if (verb === 'v') {
    if (typeof value === 'number' && !Number.isInteger(value)) return signed(formatG(value, s.prec ?? -1, s.sharp), value, s);
    if (typeof value === 'number') return signed(formatNumber(value), value, s);
    if (s.sharp && typeof value === 'string') return goQuote(value);
    return formatValue(value, s.plus);
  }
  // Slices and maps apply the verb to each element, as fmt does.
  if (Array.isArray(value)) return `[${value.map((v) => formatVerb(verb, v, s)).join(' ')}]`;
  if (isGoMap(value)) return `map[${sortedKeys(value).map((k) => `${formatVerb(verb, k, s)}:${formatVerb(verb, value[k], s)}`).join(' ')}]`;
  switch (verb) {
    case 's':
      if (typeof value !== 'string') return bad(verb, value);
      return s.prec === undefined ? value : [...value].slice(0, s.prec).join('');
    case 'q':
      if (typeof value === 'string') return goQuote(value);
      if (typeof value === 'number' && Number.isInteger(value)) return `'${String.fromCodePoint(value)}'`;
      return bad(verb, value);
    case 't':
      return typeof value === 'boolean' ? String(value) : bad(verb, value);
    case 'c':
      return typeof value === 'number' && Number.isInteger(value) ? String.fromCodePoint(value) : bad(verb, value);
    case 'd':
    case 'b':
    case 'o':
    case 'O':
      if (typeof value !== 'number' || !Number.isInteger(value)) return bad(verb, value);
      return signed(integerIn(verb, Math.abs(value), s.sharp), value, s);
    case 'x':
    case 'X': {
      let text: string;
      if (typeof value === 'string') text = Buffer.from(value, 'utf8').toString('hex');
      else if (typeof value === 'number' && Number.isInteger(value)) text = (s.sharp ? '0x' : '') + Math.abs(value).toString(16);
      else return bad(verb, value);
      text = verb === 'X' ? text.toUpperCase() : text;
      return typeof value === 'number' ? signed(text, value, s) : text;
    }
    case 'e':
    case 'E':
    case 'f':
    case 'F':
    case 'g':
    case 'G': {
      // Lenient where Go is strict: integers format as floats (secret data has no int/float split).
      if (typeof value !== 'number') return bad(verb, value);
      const lower = verb.toLowerCase();
      let text =
        lower === 'f' ? Math.abs(value).toFixed(s.prec ?? 6) : lower === 'e' ? formatE(Math.abs(value), s.prec ?? 6) : formatG(Math.abs(value), s.prec ?? -1, s.sharp);
      if (verb === 'E' || verb === 'G') text = text.toUpperCase();
      return signed(text, value, s);
    }
    default:
      return bad(verb, value);
  }
}

function integerIn(verb: string, n: number, sharp: boolean): string {
  if (verb === 'b') return n.toString(2);
  if (verb === 'o') return (sharp ? '0' : '') + n.toString(8);
  if (verb === 'O') return `0o${n.toString(8)}`;
  return n.toFixed(0);
}

function signed(text: string, value: number, s: Spec): string {
  const body = text.replace(/^-/, '');
  if (value < 0 || Object.is(value, -0)) return `-${body}`;
  if (s.plus) return `+${body}`;
  if (s.space) return ` ${body}`;
  return body;
}

/** `1.5e+06`: Go writes at least two exponent digits. */
function formatE(n: number, prec: number): string {
  return goExponent(n.toExponential(prec));
}

function goExponent(js: string): string {
  return js.replace(/e([+-])(\d)$/, 'e$10$2');
}

/** %g: shortest (prec < 0) or `prec` significant digits; %e form for exponents < -4 or >= the precision. */
export function formatG(n: number, prec: number, sharp: boolean): string {
  if (!Number.isFinite(n)) return Number.isNaN(n) ? 'NaN' : n > 0 ? '+Inf' : '-Inf';
  const shortest = prec < 0;
  const exp = shortest ? n.toExponential() : n.toExponential(Math.max(prec, 1) - 1);
  const [mantissa = '0', e = '0'] = exp.split('e');
  const exponent = Number(e);
  // strconv's rule: the shortest form decides with precision 6.
  const eprec = shortest ? 6 : Math.max(prec, 1);
  if (exponent < -4 || exponent >= eprec) {
    const m = sharp ? mantissa : mantissa.replace(/\.?0+$/, '');
    return goExponent(`${m}e${exponent >= 0 ? '+' : ''}${exponent}`);
  }
  const fixed = shortest ? String(Number(exp)) : Number(exp).toFixed(Math.max(0, Math.max(prec, 1) - 1 - exponent));
  return sharp || !fixed.includes('.') ? fixed : fixed.replace(/\.?0+$/, '');
}
