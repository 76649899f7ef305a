/**
 * The parse tree of a template, shaped like Go's text/template/parse nodes. Every node keeps the
 * position of its first token so execution errors can say `name:line:col`, and the source text of
 * the action (`at <.Data.foo>`), as Go's do.
 */
export interface Where {
  line: number;
  col: number;
  /** The node as written, for `executing "…" at <…>`. */
  text: string;
}

export type Node = TextNode | ActionNode | IfNode | RangeNode | WithNode | TemplateNode | BreakNode | ContinueNode;

export interface TextNode {
  kind: 'text';
  text: string;
}

export interface ActionNode {
  kind: 'action';
  where: Where;
  pipe: Pipe;
}

export interface IfNode {
  kind: 'if';
  where: Where;
  pipe: Pipe;
  list: Node[];
  elseList: Node[] | undefined;
}

export interface WithNode {
  kind: 'with';
  where: Where;
  pipe: Pipe;
  list: Node[];
  elseList: Node[] | undefined;
}

export interface RangeNode {
  kind: 'range';
  where: Where;
  pipe: Pipe;
  list: Node[];
  elseList: Node[] | undefined;
}

/** `{{template "name" pipeline}}`; `{{block}}` becomes a define plus one of these. */
export interface TemplateNode {
  kind: 'template';
  where: Where;
  name: string;
  pipe: Pipe | undefined;
}

export interface BreakNode {
  kind: 'break';
  where: Where;
}

export interface ContinueNode {
  kind: 'continue';
  where: Where;
}

/** `$x := a | b c`: optional declarations (or assignment), then commands joined by `|`. */
export interface Pipe {
  where: Where;
  decl: string[];
  isAssign: boolean;
  cmds: Command[];
}

/** One command of a pipeline: a function or a value, then its arguments. */
export interface Command {
  where: Where;
  args: Arg[];
}

export type Arg =
  | { kind: 'field'; where: Where; names: string[] }
  | { kind: 'variable'; where: Where; name: string; fields: string[] }
  | { kind: 'identifier'; where: Where; name: string }
  | { kind: 'dot'; where: Where }
  | { kind: 'nil'; where: Where }
  | { kind: 'bool'; where: Where; value: boolean }
  | { kind: 'number'; where: Where; value: number; isInt: boolean }
  | { kind: 'string'; where: Where; value: string }
  | { kind: 'pipe'; where: Where; pipe: Pipe }
  | { kind: 'chain'; where: Where; node: Arg; fields: string[] };

/** A parsed template set: the main body and every `{{define}}`d template by name. */
export interface ParsedTemplate {
  name: string;
  root: Node[];
  defines: Map<string, Node[]>;
}
