import { CofferError } from '@coffer/sdk';
import mysql from 'mysql2';
import { scanSql, type Dialect, type Placeholder } from './sql-scanner.js';

/**
 * Role statements as Vault takes them: a list of strings, each holding one or more statements
 * separated by `;`, with `{{name}}`, `{{username}}`, `{{password}}` and `{{expiration}}`
 * placeholders. Values are escaped for where they stand, never pasted raw: a generated username
 * or password can hold any character its template or policy allows.
 */
export type StatementValues = Partial<Record<'name' | 'username' | 'password' | 'expiration', string>>;

/** One statement ready to run: PostgreSQL gets escaped text; MySQL gets `?` placeholders and values. */
export interface RenderedStatement {
  sql: string;
  params: unknown[];
}

/**
 * Splits each entry on `;` outside quotes, comments and dollar quotes. A PostgreSQL entry with an
 * `END` keyword (a DO block, a function body) runs as written, as Vault does.
 */
export function splitStatements(entries: readonly string[], dialect: Dialect): string[] {
  const out: string[] = [];
  for (const entry of entries) {
    const scan = scanSql(entry, dialect);
    if (dialect === 'postgresql' && scan.hasEndKeyword) {
      if (entry.trim() !== '') out.push(entry.trim());
      continue;
    }
    let from = 0;
    for (const at of [...scan.separators, entry.length]) {
      const piece = entry.slice(from, at).trim();
      if (piece !== '') out.push(piece);
      from = at + 1;
    }
  }
  return out;
}

export function renderStatement(statement: string, dialect: Dialect, values: StatementValues): RenderedStatement {
  return dialect === 'postgresql' ? renderPostgres(statement, values) : renderMysql(statement, values);
}

const IDENTIFIER_LIKE = new Set(['name', 'username']);

function valueOf(p: Placeholder, values: StatementValues): string | undefined {
  const value = values[p.name as keyof StatementValues];
  if (value === undefined) return undefined;
  for (const tag of p.dollarTags) {
    if (value.includes(tag)) {
      throw new CofferError('invalid_request', `a {{${p.name}}} value contains the dollar-quote tag ${tag}; use a tagged dollar quote such as $body$`);
    }
  }
  if (value.includes('\u0000')) throw new CofferError('invalid_request', `a {{${p.name}}} value contains a NUL character`);
  return value;
}

/** Replaces spans from the end, so earlier offsets stay valid. */
function spliced(text: string, edits: { start: number; end: number; with: string }[]): string {
  let out = text;
  for (const edit of [...edits].sort((a, b) => b.start - a.start)) out = out.slice(0, edit.start) + edit.with + out.slice(edit.end);
  return out;
}

function pgIdentifier(value: string): string {
  return `"${value.replaceAll('"', '""')}"`;
}

/** As pg's escapeLiteral: an E'' string when backslashes are present, so standard_conforming_strings does not matter. */
function pgLiteral(value: string): string {
  const body = value.replaceAll("'", "''");
  return value.includes('\\') ? ` E'${body.replaceAll('\\', '\\\\')}'` : `'${body}'`;
}

function renderPostgres(statement: string, values: StatementValues): RenderedStatement {
  const edits: { start: number; end: number; with: string }[] = [];
  for (const p of scanSql(statement, 'postgresql').placeholders) {
    const value = valueOf(p, values);
    if (value === undefined) continue;
    const ctx = p.context;
    if (ctx.kind === 'bare') {
      edits.push({ start: p.start, end: p.end, with: IDENTIFIER_LIKE.has(p.name) ? pgIdentifier(value) : pgLiteral(value) });
    } else if (ctx.whole) {
      edits.push({ start: ctx.tokenStart, end: ctx.tokenEnd, with: ctx.quote === 'double' ? pgIdentifier(value) : pgLiteral(value) });
    } else {
      const quoted = ctx.quote === 'double' ? value.replaceAll('"', '""') : value.replaceAll("'", "''");
      edits.push({ start: p.start, end: p.end, with: ctx.backslashes ? quoted.replaceAll('\\', '\\\\') : quoted });
    }
  }
  return { sql: spliced(statement, edits), params: [] };
}

/**
 * MySQL statements run through mysql2's `query`, whose client-side escaping handles DDL (a
 * server-side prepared `execute` refuses CREATE USER). A placeholder that is a whole quoted token
 * or bare becomes `?` (or `??` in backticks) with its value; inside a longer quoted text it is
 * escaped in place. When the statement has a `?` of its own, every value is escaped in place
 * instead, so mysql2 does not mistake that `?` for a parameter.
 */
function renderMysql(statement: string, values: StatementValues): RenderedStatement {
  const placeholders = scanSql(statement, 'mysql').placeholders.filter((p) => valueOf(p, values) !== undefined);
  const stray = spliced(statement, placeholders.map((p) => ({ start: p.start, end: p.end, with: '' }))).includes('?');
  const edits: { start: number; end: number; with: string; param?: unknown }[] = [];
  for (const p of placeholders) {
    const value = valueOf(p, values) as string;
    const ctx = p.context;
    const asParam = (start: number, end: number, identifier: boolean) =>
      stray
        ? edits.push({ start, end, with: identifier ? mysql.escapeId(value) : mysql.escape(value) })
        : edits.push({ start, end, with: identifier ? '??' : '?', param: value });
    if (ctx.kind === 'bare') asParam(p.start, p.end, false);
    else if (ctx.whole) asParam(ctx.tokenStart, ctx.tokenEnd, ctx.quote === 'backtick');
    else {
      const inner = ctx.quote === 'backtick' ? value.replaceAll('`', '``') : mysql.escape(value).slice(1, -1);
      edits.push({ start: p.start, end: p.end, with: inner });
    }
  }
  const params = [...edits].sort((a, b) => a.start - b.start).flatMap((e) => ('param' in e ? [e.param] : []));
  return { sql: spliced(statement, edits), params };
}
