/**
 * A small lexer over SQL text, enough to tell where a `;` ends a statement and in which quoting a
 * `{{placeholder}}` sits. It knows string literals, quoted identifiers, comments and (PostgreSQL)
 * dollar quotes; it does not parse SQL.
 */
export type Dialect = 'postgresql' | 'mysql';

export type QuoteKind = 'single' | 'double' | 'backtick';

/** Where a placeholder was found. */
export type PlaceholderContext =
  | { kind: 'bare' }
  | {
      kind: 'quoted';
      quote: QuoteKind;
      /** Backslash escapes apply inside (MySQL strings, PostgreSQL E'…'). */
      backslashes: boolean;
      /** The quoted token is exactly the placeholder: `'{{password}}'`. Start and end span the quotes (and an E prefix). */
      whole: boolean;
      tokenStart: number;
      tokenEnd: number;
    };

export interface Placeholder {
  name: string;
  start: number;
  end: number;
  context: PlaceholderContext;
  /** Tags of the PostgreSQL dollar quotes around it (`$$`, `$fn$`): a value must not contain them. */
  dollarTags: string[];
}

export interface ScanResult {
  placeholders: Placeholder[];
  /** Offsets of the `;` that end statements (outside quotes, comments and dollar quotes). */
  separators: number[];
  /** PostgreSQL's `END` keyword outside quotes and comments (procedural bodies: never split). */
  hasEndKeyword: boolean;
}

const PLACEHOLDER = /\{\{\s*([A-Za-z_]+)\s*\}\}/y;
const DOLLAR_TAG = /\$([A-Za-z_][A-Za-z0-9_]*)?\$/y;
const END_KEYWORD = /END\b/iy;

interface OpenQuote {
  quote: QuoteKind;
  backslashes: boolean;
  tokenStart: number;
  contentStart: number;
  found: Placeholder[];
}

export function scanSql(text: string, dialect: Dialect): ScanResult {
  const placeholders: Placeholder[] = [];
  const separators: number[] = [];
  const dollarTags: string[] = [];
  let hasEndKeyword = false;
  let open: OpenQuote | undefined;
  let i = 0;

  const placeholderAt = (at: number): { name: string; end: number } | undefined => {
    PLACEHOLDER.lastIndex = at;
    const m = PLACEHOLDER.exec(text);
    return m ? { name: (m[1] as string).toLowerCase(), end: PLACEHOLDER.lastIndex } : undefined;
  };

  while (i < text.length) {
    const ch = text[i] as string;
    if (open) {
      const quoteChar = QUOTE_CHARS[open.quote];
      if (open.backslashes && ch === '\\') {
        i += 2;
        continue;
      }
      if (ch === quoteChar) {
        if (text[i + 1] === quoteChar) {
          i += 2;
          continue;
        }
        closeQuote(open, i + 1, placeholders);
        open = undefined;
        i++;
        continue;
      }
      const found = ch === '{' ? placeholderAt(i) : undefined;
      if (found) {
        open.found.push({ name: found.name, start: i, end: found.end, context: { kind: 'bare' }, dollarTags: [...dollarTags] });
        i = found.end;
        continue;
      }
      i++;
      continue;
    }

    // Comments: skipped whole, placeholders in them are left alone.
    if (ch === '-' && text[i + 1] === '-') {
      i = lineEnd(text, i);
      continue;
    }
    if (dialect === 'mysql' && ch === '#') {
      i = lineEnd(text, i);
      continue;
    }
    if (ch === '/' && text[i + 1] === '*') {
      const close = text.indexOf('*/', i + 2);
      i = close === -1 ? text.length : close + 2;
      continue;
    }

    if (dialect === 'postgresql' && ch === '$') {
      DOLLAR_TAG.lastIndex = i;
      const m = DOLLAR_TAG.exec(text);
      // `$1` parameters are not tags; a tag is `$$` or `$name$`.
      if (m) {
        const tag = m[0];
        if (dollarTags.at(-1) === tag) dollarTags.pop();
        else dollarTags.push(tag);
        i = DOLLAR_TAG.lastIndex;
        continue;
      }
    }

    const quote = quoteAt(text, i, dialect);
    if (quote) {
      open = { ...quote, found: [] };
      i = quote.contentStart;
      continue;
    }

    if (ch === ';' && dollarTags.length === 0) {
      separators.push(i);
      i++;
      continue;
    }

    const found = ch === '{' ? placeholderAt(i) : undefined;
    if (found) {
      placeholders.push({ name: found.name, start: i, end: found.end, context: { kind: 'bare' }, dollarTags: [...dollarTags] });
      i = found.end;
      continue;
    }

    if (dialect === 'postgresql' && (ch === 'E' || ch === 'e') && !isWordChar(text[i - 1])) {
      END_KEYWORD.lastIndex = i;
      if (END_KEYWORD.test(text)) hasEndKeyword = true;
    }
    i++;
  }
  // An unterminated quote: whatever it held stays as it is; the database will report the syntax.
  if (open) closeQuote(open, text.length, placeholders, false);
  placeholders.sort((a, b) => a.start - b.start);
  return { placeholders, separators, hasEndKeyword };
}

const QUOTE_CHARS: Record<QuoteKind, string> = { single: "'", double: '"', backtick: '`' };

function quoteAt(text: string, i: number, dialect: Dialect): Omit<OpenQuote, 'found'> | undefined {
  const ch = text[i];
  if (dialect === 'postgresql' && (ch === 'E' || ch === 'e') && text[i + 1] === "'" && !isWordChar(text[i - 1])) {
    return { quote: 'single', backslashes: true, tokenStart: i, contentStart: i + 2 };
  }
  if (ch === "'") return { quote: 'single', backslashes: dialect === 'mysql', tokenStart: i, contentStart: i + 1 };
  if (ch === '"') return { quote: 'double', backslashes: dialect === 'mysql', tokenStart: i, contentStart: i + 1 };
  if (ch === '`' && dialect === 'mysql') return { quote: 'backtick', backslashes: false, tokenStart: i, contentStart: i + 1 };
  return undefined;
}

function closeQuote(open: OpenQuote, tokenEnd: number, into: Placeholder[], terminated = true): void {
  const only = open.found.length === 1 ? open.found[0] : undefined;
  const whole = terminated && only !== undefined && only.start === open.contentStart && only.end === tokenEnd - 1;
  for (const p of open.found) {
    into.push({
      ...p,
      context: { kind: 'quoted', quote: open.quote, backslashes: open.backslashes, whole, tokenStart: open.tokenStart, tokenEnd },
    });
  }
}

function lineEnd(text: string, i: number): number {
  const nl = text.indexOf('\n', i);
  return nl === -1 ? text.length : nl + 1;
}

function isWordChar(ch: string | undefined): boolean {
  return ch !== undefined && /[\p{L}\p{N}_$]/u.test(ch);
}
