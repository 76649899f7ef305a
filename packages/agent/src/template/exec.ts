import type { Arg, Command, Node, ParsedTemplate, Pipe, Where } from './ast.js';
import type { FuncMap } from './func-def.js';
import { formatValue } from './go-fmt.js';
import { TemplateError } from './template-error.js';
import { GoStruct, goTypeName, isGoMap, sortedKeys, truth } from './values.js';

export type MissingKey = 'zero' | 'error';

export interface ExecOptions {
  funcs: FuncMap;
  /** consul-template runs with missingkey=zero, or missingkey=error with error_on_missing_key. */
  missingKey: MissingKey;
  /** The data `.` starts as; consul-template passes none. */
  data?: unknown;
}

/** No piped value: Go's `missingVal`. */
const NO_FINAL = Symbol('no final');
type Final = unknown;

const MAX_DEPTH = 1000;

class BreakSignal {}
class ContinueSignal {}

/** Runs a parsed template and returns its output. Errors are TemplateErrors with Go's wording. */
export async function execute(template: ParsedTemplate, options: ExecOptions): Promise<string> {
  const state = new State(template, options);
  await state.walkList(options.data, template.root);
  return state.out.join('');
}

class State {
  readonly out: string[] = [];
  vars: { name: string; value: unknown }[];
  #depth = 0;

  constructor(
    readonly template: ParsedTemplate,
    readonly options: ExecOptions,
  ) {
    this.vars = [{ name: '$', value: options.data }];
  }

  fail(where: Where, message: string): never {
    const name = this.template.name;
    throw new TemplateError(`template: ${name}:${where.line}:${where.col}: executing "${name}" at <${where.text}>: ${message}`);
  }

  async walkList(dot: unknown, nodes: readonly Node[]): Promise<void> {
    for (const node of nodes) await this.walk(dot, node);
  }

  async walk(dot: unknown, node: Node): Promise<void> {
    switch (node.kind) {
      case 'text':
        this.out.push(node.text);
        return;
      case 'action': {
        const value = await this.evalPipeline(dot, node.pipe);
        if (node.pipe.decl.length === 0) this.out.push(value === undefined || value === null ? '<no value>' : formatValue(value));
        return;
      }
      case 'if':
      case 'with': {
        const mark = this.vars.length;
        const value = await this.evalPipeline(dot, node.pipe);
        if (truth(value)) await this.walkList(node.kind === 'with' ? value : dot, node.list);
        else if (node.elseList) await this.walkList(dot, node.elseList);
        this.vars.length = mark;
        return;
      }
      case 'range':
        return this.#range(dot, node.pipe, node.list, node.elseList, node.where);
      case 'template':
        return this.#template(dot, node.name, node.pipe, node.where);
      case 'break':
        throw new BreakSignal();
      case 'continue':
        throw new ContinueSignal();
    }
  }

  async #range(dot: unknown, pipe: Pipe, list: Node[], elseList: Node[] | undefined, where: Where): Promise<void> {
    const mark = this.vars.length;
    const value = await this.evalPipeline(dot, pipe);
    let entries: [unknown, unknown][];
    if (value === undefined || value === null) entries = [];
    else if (Array.isArray(value)) entries = value.map((v, i) => [i, v]);
    else if (isGoMap(value)) entries = sortedKeys(value).map((k) => [k, value[k]]);
    else if (typeof value === 'number' && Number.isInteger(value)) entries = Array.from({ length: Math.max(0, value) }, (_, i) => [i, i]);
    else this.fail(where, `range can't iterate over ${formatValue(value)}`);
    if (entries.length === 0) {
      this.vars.length = mark;
      if (elseList) await this.walkList(dot, elseList);
      return;
    }
    for (const [key, elem] of entries) {
      const inner = this.vars.length;
      // One variable takes the element; two take the key and the element (Go's setTopVar).
      if (pipe.decl.length > 0) this.#setRangeVar(pipe, pipe.decl.length - 1, elem);
      if (pipe.decl.length > 1) this.#setRangeVar(pipe, 0, key);
      try {
        await this.walkList(elem, list);
      } catch (signal) {
        if (signal instanceof BreakSignal) break;
        if (!(signal instanceof ContinueSignal)) throw signal;
      } finally {
        this.vars.length = inner;
      }
    }
    this.vars.length = mark;
  }

  #setRangeVar(pipe: Pipe, index: number, value: unknown): void {
    const name = pipe.decl[index] as string;
    if (pipe.isAssign) this.#setVar(name, value);
    else {
      const slot = this.vars.length - (pipe.decl.length - index);
      (this.vars[slot] as { value: unknown }).value = value;
    }
  }

  async #template(dot: unknown, name: string, pipe: Pipe | undefined, where: Where): Promise<void> {
    const body = this.template.defines.get(name);
    if (!body) this.fail(where, `template "${name}" not defined`);
    if (++this.#depth > MAX_DEPTH) this.fail(where, `exceeded maximum template depth (${MAX_DEPTH})`);
    const newDot = pipe ? await this.evalPipeline(dot, pipe) : undefined;
    const saved = this.vars;
    this.vars = [{ name: '$', value: newDot }];
    try {
      await this.walkList(newDot, body);
    } finally {
      this.vars = saved;
      this.#depth--;
    }
  }

  async evalPipeline(dot: unknown, pipe: Pipe): Promise<unknown> {
    let value: unknown = NO_FINAL;
    for (const cmd of pipe.cmds) {
      value = await this.#evalCommand(dot, cmd, value);
      // Go digs a nil interface down to "no value" after each command.
      if (value === null) value = undefined;
    }
    for (const name of pipe.decl) {
      if (pipe.isAssign) this.#setVar(name, value);
      else this.vars.push({ name, value });
    }
    return value;
  }

  #setVar(name: string, value: unknown): void {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      const slot = this.vars[i] as { name: string; value: unknown };
      if (slot.name === name) {
        slot.value = value;
        return;
      }
    }
    throw new TemplateError(`undefined variable: ${name}`);
  }

  #varValue(name: string, where: Where): unknown {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      const slot = this.vars[i] as { name: string; value: unknown };
      if (slot.name === name) return slot.value;
    }
    this.fail(where, `undefined variable: ${name}`);
  }

  async #evalCommand(dot: unknown, cmd: Command, final: Final): Promise<unknown> {
    const first = cmd.args[0] as Arg;
    const args = cmd.args;
    switch (first.kind) {
      case 'field':
        return this.#fieldChain(dot, first.where, first.names, args, final);
      case 'chain': {
        const receiver = await this.#evalArg(dot, first.node);
        return this.#fieldChain(receiver, first.where, first.fields, args, final);
      }
      case 'variable': {
        const value = this.#varValue(first.name, first.where);
        if (first.fields.length === 0) {
          this.#notAFunction(args, final, first.where);
          return value;
        }
        return this.#fieldChain(value, first.where, first.fields, args, final);
      }
      case 'identifier':
        return this.#call(dot, first.name, cmd, final);
      default:
        this.#notAFunction(args, final, first.where);
        if (first.kind === 'nil') this.fail(first.where, 'nil is not a command');
        return this.#evalArg(dot, first);
    }
  }

  #notAFunction(args: readonly Arg[], final: Final, where: Where): void {
    if (args.length > 1 || final !== NO_FINAL) this.fail(where, `can't give argument to non-function ${where.text}`);
  }

  async #evalArg(dot: unknown, arg: Arg): Promise<unknown> {
    switch (arg.kind) {
      case 'dot':
        return dot;
      case 'nil':
        return null;
      case 'bool':
      case 'number':
      case 'string':
        return arg.value;
      case 'field':
        return this.#fieldChain(dot, arg.where, arg.names, [arg], NO_FINAL);
      case 'variable': {
        const value = this.#varValue(arg.name, arg.where);
        return arg.fields.length ? this.#fieldChain(value, arg.where, arg.fields, [arg], NO_FINAL) : value;
      }
      case 'pipe':
        return this.evalPipeline(dot, arg.pipe);
      case 'chain':
        return this.#fieldChain(await this.#evalArg(dot, arg.node), arg.where, arg.fields, [arg], NO_FINAL);
      case 'identifier':
        return this.#call(dot, arg.name, { where: arg.where, args: [arg] }, NO_FINAL);
    }
  }

  /** `.A.B.C` from a receiver; only the last field could take arguments, and none here can. */
  #fieldChain(receiver: unknown, where: Where, names: readonly string[], args: readonly Arg[], final: Final): unknown {
    let value = receiver;
    names.forEach((name, i) => {
      const hasArgs = i === names.length - 1 && (args.length > 1 || final !== NO_FINAL);
      value = this.#field(value, name, hasArgs, where);
    });
    return value;
  }

  #field(receiver: unknown, name: string, hasArgs: boolean, where: Where): unknown {
    if (receiver === undefined) {
      if (this.options.missingKey === 'error') this.fail(where, `nil data; no entry for key "${name}"`);
      return undefined;
    }
    if (receiver === null) this.fail(where, `nil pointer evaluating interface {}.${name}`);
    if (receiver instanceof GoStruct) {
      if (!receiver.fields.has(name)) this.fail(where, `can't evaluate field ${name} in type ${receiver.typeName}`);
      if (hasArgs) this.fail(where, `${name} has arguments but cannot be invoked as function`);
      return receiver.fields.get(name);
    }
    if (isGoMap(receiver)) {
      if (hasArgs) this.fail(where, `${name} is not a method but has arguments`);
      if (Object.hasOwn(receiver, name)) return receiver[name];
      if (this.options.missingKey === 'error') this.fail(where, `map has no entry for key "${name}"`);
      return null;
    }
    this.fail(where, `can't evaluate field ${name} in type ${goTypeName(receiver)}`);
  }

  async #call(dot: unknown, name: string, cmd: Command, final: Final): Promise<unknown> {
    const func = this.options.funcs.get(name);
    if (!func) this.fail(cmd.where, `"${name}" is not a defined function`);
    const argNodes = cmd.args.slice(1);
    const count = argNodes.length + (final === NO_FINAL ? 0 : 1);
    if (count < func.minArgs || count > func.maxArgs) {
      const want = func.minArgs === func.maxArgs ? `${func.minArgs}` : `at least ${func.minArgs}`;
      this.fail(cmd.where, `wrong number of args for ${name}: want ${want} got ${count}`);
    }
    if (name === 'and' || name === 'or') return this.#shortCircuit(dot, name, argNodes, final);
    const args: unknown[] = [];
    for (const node of argNodes) args.push(await this.#evalArg(dot, node));
    if (final !== NO_FINAL) args.push(final);
    try {
      return await func.call(args);
    } catch (error) {
      if (error instanceof TemplateError) throw error;
      this.fail(cmd.where, `error calling ${name}: ${(error as Error).message}`);
    }
  }

  /** `and` stops at the first false argument, `or` at the first true one; the piped value comes last. */
  async #shortCircuit(dot: unknown, name: 'and' | 'or', nodes: readonly Arg[], final: Final): Promise<unknown> {
    let value: unknown;
    const stop = (v: unknown) => (name === 'and' ? !truth(v) : truth(v));
    for (const node of nodes) {
      value = await this.#evalArg(dot, node);
      if (stop(value)) return value;
    }
    return final === NO_FINAL ? value : final;
  }
}
