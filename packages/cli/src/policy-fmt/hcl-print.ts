import type { Attribute, Body, BodyNode, Expr, ListExpr, ObjectExpr } from './hcl-tree.js';

const INDENT = '  ';

/**
 * The canonical text of a document, in the layout of HCL's printer that `vault policy fmt` uses:
 * two-space indents; blocks and multi-line values set apart by a blank line; `=` aligned across
 * neighbouring one-line attributes; lists kept on one line unless written over several, then one
 * element a line with a trailing comma. Literals and comments are kept as written, so printing
 * the output again gives the same text.
 */
export function printHcl(body: Body): string {
  const lines = printBody(body, '');
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

function printBody(body: Body, indent: string): string[] {
  const out: string[] = [];
  const nodes = body.nodes;
  const widths = alignmentWidths(nodes);
  nodes.forEach((node, i) => {
    const previous = nodes[i - 1];
    if (previous && needsBlankLine(previous, node)) out.push('');
    if (node.kind === 'comment') out.push(indent + node.text);
    else if (node.kind === 'attribute') out.push(...printAttribute(node, indent, widths[i] ?? node.key.length));
    else {
      const header = [node.type, ...node.labels].join(' ');
      const inner = printBody(node.body, indent + INDENT);
      if (inner.length === 0 && node.openComment === undefined) out.push(withComment(`${indent}${header} {}`, node.comment));
      else {
        out.push(withComment(`${indent}${header} {`, node.openComment), ...inner, withComment(`${indent}}`, node.comment));
      }
    }
  });
  return out;
}

/**
 * HCL's printer separates items by a blank line when the source had one, when either item spans
 * several lines (a comment stays with what it introduces), and before a comment that follows an
 * item, since a lead comment counts as part of the item's lines.
 */
function needsBlankLine(previous: BodyNode, node: BodyNode): boolean {
  if (node.blankBefore) return true;
  if (isMultiline(previous)) return true;
  if (previous.kind === 'comment') return false;
  return node.kind === 'comment' || isMultiline(node);
}

function isMultiline(node: BodyNode): boolean {
  if (node.kind === 'comment') return false;
  if (node.kind === 'block') return true;
  return isMultilineExpr(node.value);
}

function isMultilineExpr(expr: Expr): boolean {
  if (expr.kind === 'literal') return expr.text.includes('\n');
  if (expr.kind === 'list') return listIsMultiline(expr);
  return expr.body.nodes.length > 0 || expr.openComment !== undefined;
}

function listIsMultiline(list: ListExpr): boolean {
  return (
    (list.multiline && list.items.length > 0) ||
    list.openComment !== undefined ||
    list.items.some((item) => item.kind === 'comment' || item.comment !== undefined || isMultilineExpr(item.value))
  );
}

/** Key widths: each run of one-line attributes (no blank line or comment between) pads to its longest key. */
function alignmentWidths(nodes: readonly BodyNode[]): number[] {
  const widths: number[] = [];
  let run: number[] = [];
  const close = () => {
    const width = Math.max(0, ...run.map((i) => (nodes[i] as Attribute).key.length));
    for (const i of run) widths[i] = width;
    run = [];
  };
  nodes.forEach((node, i) => {
    const single = node.kind === 'attribute' && !isMultilineExpr(node.value);
    if (!single || node.blankBefore) close();
    if (single) run.push(i);
  });
  close();
  return widths;
}

function printAttribute(node: Attribute, indent: string, width: number): string[] {
  const lines = printExpr(node.value, indent);
  const first = `${indent}${node.key.padEnd(width)} = ${lines[0] ?? ''}`;
  const all = [first, ...lines.slice(1)];
  all[all.length - 1] = withComment(all[all.length - 1] as string, node.comment);
  return all;
}

/** An expression's lines; the first continues the line it starts on, the rest carry their indent. */
function printExpr(expr: Expr, indent: string): string[] {
  if (expr.kind === 'literal') return expr.text.split('\n');
  if (expr.kind === 'object') return printObject(expr, indent);
  return printList(expr, indent);
}

function printList(list: ListExpr, indent: string): string[] {
  if (!listIsMultiline(list)) {
    return [`[${list.items.map((item) => (item.kind === 'item' ? printExpr(item.value, indent)[0] : '')).join(', ')}]`];
  }
  const inner = indent + INDENT;
  const out = [withComment('[', list.openComment)];
  list.items.forEach((item, i) => {
    if (i > 0 && item.blankBefore) out.push('');
    if (item.kind === 'comment') {
      out.push(inner + item.text);
      return;
    }
    const lines = printExpr(item.value, inner);
    lines[0] = inner + lines[0];
    lines[lines.length - 1] = withComment(`${lines[lines.length - 1]},`, item.comment);
    out.push(...lines);
  });
  out.push(`${indent}]`);
  return out;
}

function printObject(object: ObjectExpr, indent: string): string[] {
  const inner = printBody(object.body, indent + INDENT);
  if (inner.length === 0 && object.openComment === undefined) return ['{}'];
  return [withComment('{', object.openComment), ...inner, `${indent}}`];
}

function withComment(line: string, comment: string | undefined): string {
  return comment === undefined ? line : `${line} ${comment}`;
}
