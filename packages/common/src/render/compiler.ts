/**
 * nunjucks' compiler, subclassed to speak Salt's Jinja: `True`/`False`/`None`, slices and `.name`
 * lookups from our parser (parser.ts), and Python semantics for `and`/`or`/`not`/`if`, `==`,
 * `~`, `%`, `+`, `*` and `for x in dict`. Every generated function binds SALT_RUNTIME (runtime.ts) in
 * place of the runtime nunjucks passes, so nothing in the nunjucks module is patched.
 * Expressions that can fail also record their line, so errors point at the right line.
 */
import type { NjCompiler, NjNode, NjNodeClass } from './nunjucks-internals.js';
import { compiler, lexer, transformer } from './nunjucks-internals.js';
import { Iter, SaltParser, Slice, node } from './parser.js';
import { SALT_RUNTIME } from './runtime.js';

/** The compile-time scope nunjucks threads through its compile methods. */
interface CompileFrame {
  push(): CompileFrame;
  set(name: string, id: string): void;
  lookup(name: string): string | undefined;
}

const BaseCompiler = compiler.Compiler as unknown as new (name: string, throwOnUndefined: boolean) => NjCompiler;
const LookupVal = node('LookupVal');
const Capture = node('Capture');
const NodeArray = node('Array');

// Node types whose evaluation can throw; the compiled code records their position first.
const TRACKED = new Set(['Symbol', 'LookupVal', 'FunCall', 'Filter', 'Is', 'In', 'Compare', 'Mod', 'Add', 'Mul', 'Concat', 'Not', 'SaltIter']);
const PY_CONSTANTS: ReadonlyMap<string, string> = new Map([['True', 'true'], ['False', 'false'], ['None', 'null']]);

class SaltCompiler extends BaseCompiler {
  declare buffer: string | null;
  declare _scopeClosers: string;
  /** How many `{% for %}` bodies enclose the code being compiled; `{% break %}` needs one. */
  private loopDepth = 0;
  /** How many captured blocks (`{% set x %}`, `{% load_yaml %}`) enclose it: their text is data, guarded when printed. */
  private captureDepth = 0;
  /** Source positions the code refers to as `__pos[i]`, as JS object literals. */
  readonly positions: string[] = [];
  readonly #positionIndex = new Map<string, number>();

  /**
   * Where an error is reported: a `runtime.at = __pos[i]` store before each expression that can fail.
   * nunjucks' own `lineno` variable is per template function, and after an `{% import %}` or
   * `{% include %}` the rest of the template runs inside the other template's try/catch, so its errors
   * got that template's line. A position stored on the runtime is right wherever the error is caught.
   */
  private at(n: NjNode): string {
    const key = `${n.lineno + 1}:${n.colno + 1}`;
    let index = this.#positionIndex.get(key);
    if (index === undefined) {
      index = this.positions.push(`{file:__file,line:${n.lineno + 1},column:${n.colno + 1}}`) - 1;
      this.#positionIndex.set(key, index);
    }
    return `runtime.at = __pos[${index}]`;
  }

  /**
   * nunjucks' function prologue, except that `runtime` is ours whatever the caller passes. Rebinding here
   * rather than wrapping the functions keeps their identity, which `{{ super() }}` relies on.
   */
  _emitFuncBegin(n: NjNode, name: string): void {
    this.buffer = 'output';
    this._scopeClosers = '';
    this._emitLine(`function ${name}(env, context, frame, _runtime, cb) {`);
    this._emitLine('var runtime = saltRuntime;');
    this._emitLine(`var lineno = ${n.lineno};`);
    this._emitLine(`var colno = ${n.colno};`);
    this._emitLine('var output = "";');
    this._emitLine('try {');
  }

  override compile(n: NjNode, frame?: unknown): void {
    if (!TRACKED.has(n.typename)) return super.compile(n, frame);
    this._emit(`(${this.at(n)}, `);
    super.compile(n, frame);
    this._emit(')');
  }

  /**
   * `{{ x }}` goes through runtime.guardOutput, which keeps a printed value from changing the YAML's
   * structure when the render is guarded (guard.ts) and is nunjucks' suppressValue otherwise.
   */
  compileOutput(n: NjNode, frame: unknown): void {
    if (this.captureDepth > 0) return this.base('compileOutput', n, frame);
    for (const child of n.children as NjNode[]) {
      if (child.typename === 'TemplateData') {
        if (child.value) {
          this._emit(`${this.buffer} += `);
          this.compileLiteral(child, frame);
          this._emitLine(';');
        }
        continue;
      }
      this._emit(`${this.buffer} += runtime.guardOutput(`);
      this.compile(child, frame);
      this._emitLine(');');
    }
  }

  compileCapture(n: NjNode, frame: unknown): void {
    this.captureDepth++;
    try {
      this.base('compileCapture', n, frame);
    } finally {
      this.captureDepth--;
    }
  }

  override assertType(n: NjNode, ...types: NjNodeClass[]): void {
    if ((n as object) instanceof Slice || (n as object) instanceof Iter || (n as object) instanceof Capture) return;
    super.assertType(n, ...types);
  }

  /** nunjucks pastes this name into a JS string literal unescaped; a string with a newline broke the code. */
  _getNodeName(n: NjNode): string {
    const base = (BaseCompiler.prototype as unknown as { _getNodeName(this: unknown, n: NjNode): string })._getNodeName.call(this, n);
    return base.replace(/[\\\r\n\u2028\u2029]/g, ' ');
  }

  /** A Jinja tuple `(a, b)` is a list for us; nunjucks emitted JavaScript's comma operator. */
  compileGroup(n: NjNode, frame: unknown): void {
    const children = (n.children as NjNode[]) ?? [];
    this._emit(children.length === 1 ? '(' : '[');
    children.forEach((child, i) => {
      if (i > 0) this._emit(',');
      this.expr(child, frame);
    });
    this._emit(children.length === 1 ? ')' : ']');
  }

  /** `x is test`, `x is test(a, b=c)` and Jinja's one-argument form `x is divisibleby 3`. */
  compileIs(n: NjNode, frame: unknown): void {
    const right = n.right as NjNode;
    const nameNode = (right.name as NjNode | undefined) ?? right;
    const raw = nameNode.value;
    const name = raw === null ? 'none' : String(raw);
    this._emit(`env.getTest(${JSON.stringify(name)}).call(context, `);
    this.expr(n.left as NjNode, frame);
    for (const arg of ((right.args as NjNode | undefined)?.children as NjNode[] | undefined) ?? []) {
      this._emit(',');
      this.expr(arg, frame);
    }
    this._emit(') === true');
  }

  /** nunjucks' own compile method `method`, for overrides that only adjust the node first. */
  private base(method: string, n: NjNode, frame: unknown): void {
    const methods = BaseCompiler.prototype as unknown as Record<string, (this: unknown, n: NjNode, frame: unknown) => void>;
    (methods[method] as (this: unknown, n: NjNode, frame: unknown) => void).call(this, n, frame);
  }

  private expr(n: NjNode | null | undefined, frame: unknown): void {
    if (n === null || n === undefined) this._emit('undefined');
    else this._compileExpression(n, frame);
  }

  compileSymbol(n: NjNode, frame: CompileFrame): void {
    const name = String(n.value);
    const local = frame.lookup(name);
    if (local) this._emit(local);
    else if (PY_CONSTANTS.has(name)) this._emit(PY_CONSTANTS.get(name) as string);
    else this._emit(`runtime.contextOrFrameLookup(context, frame, ${JSON.stringify(name)})`);
  }

  compileLookupVal(n: NjNode, frame: unknown): void {
    const val = n.val as NjNode;
    if (val instanceof Slice) {
      this._emit('runtime.sliceLookup((');
      this.expr(n.target as NjNode, frame);
      for (const field of ['start', 'stop', 'step']) {
        this._emit('),(');
        this.expr(val[field] as NjNode | null, frame);
      }
      this._emit('))');
      return;
    }
    this._emit(n.attr === true ? 'runtime.attrLookup((' : 'runtime.memberLookup((');
    this.expr(n.target as NjNode, frame);
    this._emit('),');
    this.expr(val, frame);
    this._emit(')');
  }

  private call(fn: string, args: NjNode[], frame: unknown): void {
    this._emit(`runtime.${fn}(`);
    args.forEach((arg, i) => {
      if (i > 0) this._emit(',');
      this.expr(arg, frame);
    });
    this._emit(')');
  }

  compileConcat(n: NjNode, frame: unknown): void {
    this.call('concat', [n.left as NjNode, n.right as NjNode], frame);
  }
  compileMod(n: NjNode, frame: unknown): void {
    this.call('mod', [n.left as NjNode, n.right as NjNode], frame);
  }
  compileAdd(n: NjNode, frame: unknown): void {
    this.call('add', [n.left as NjNode, n.right as NjNode], frame);
  }
  compileMul(n: NjNode, frame: unknown): void {
    this.call('mul', [n.left as NjNode, n.right as NjNode], frame);
  }
  compileIn(n: NjNode, frame: unknown): void {
    this.call('inOperator', [n.left as NjNode, n.right as NjNode], frame);
  }
  compileNot(n: NjNode, frame: unknown): void {
    this._emit('!');
    this.call('truthy', [n.target as NjNode], frame);
  }
  compileSaltIter(n: NjNode, frame: unknown): void {
    this.call('iter', [n.target as NjNode], frame);
  }

  compileAnd(n: NjNode, frame: unknown): void {
    this._emit('(runtime.truthy(runtime.r = ');
    this.expr(n.left as NjNode, frame);
    this._emit(') ? ');
    this.expr(n.right as NjNode, frame);
    this._emit(' : runtime.r)');
  }
  compileOr(n: NjNode, frame: unknown): void {
    this._emit('(runtime.truthy(runtime.r = ');
    this.expr(n.left as NjNode, frame);
    this._emit(') ? runtime.r : ');
    this.expr(n.right as NjNode, frame);
    this._emit(')');
  }

  compileCompare(n: NjNode, frame: unknown): void {
    const ops = n.ops as NjNode[];
    this._emit('runtime.compare([');
    this.expr(n.expr as NjNode, frame);
    for (const op of ops) {
      this._emit(',');
      this.expr(op.expr as NjNode, frame);
    }
    this._emit(`],${JSON.stringify(ops.map((op) => op.type))})`);
  }

  compileInlineIf(n: NjNode, frame: unknown): void {
    this._emit('(runtime.truthy(');
    this.expr(n.cond as NjNode, frame);
    this._emit(') ? ');
    this.expr(n.body as NjNode, frame);
    this._emit(' : ');
    this.expr(n.else_ as NjNode | null, frame);
    this._emit(')');
  }

  compileIf(n: NjNode, frame: unknown): void {
    this._emit('if(runtime.truthy(');
    this.expr(n.cond as NjNode, frame);
    this._emitLine(')) {');
    this._withScopedSyntax(() => this.compile(n.body as NjNode, frame));
    if (n.else_) {
      this._emitLine('}\nelse {');
      this._withScopedSyntax(() => this.compile(n.else_ as NjNode, frame));
    }
    this._emitLine('}');
  }

  /** `{% set ns.attr = value %}` (Jinja's namespace assignment); plain names compile as nunjucks does. */
  compileSet(n: NjNode, frame: unknown): void {
    const targets = n.targets as NjNode[];
    const target = targets[0];
    if (!(target instanceof LookupVal)) {
      this.base('compileSet', n, frame);
      return;
    }
    if (targets.length !== 1 || !n.value) this.fail('only `{% set name.attr = value %}` may assign to an attribute', n.lineno, n.colno);
    this._emit(`${this.at(n)}; runtime.setAttr(`);
    this.expr(target.target as NjNode, frame);
    this._emit(',');
    this.expr(target.val as NjNode, frame);
    this._emit(',');
    this.expr(n.value as NjNode, frame);
    this._emitLine(');');
  }

  /** One-name loops walk a dict's keys and a string's characters, as Jinja does; loop scopes isolate writes. */
  compileFor(n: NjNode, frame: unknown): void {
    if (!(n.name instanceof NodeArray) && !(n.arr instanceof Iter)) n.arr = new Iter(n.lineno, n.colno, n.arr);
    this.loopDepth++;
    const start = this.codebuf.length;
    this.base('compileFor', n, frame);
    // Jinja scoping: a `{% set %}` inside a loop does not change the variable outside it (hence namespace()).
    // nunjucks' loop frame passes writes up; an isolating frame keeps them in the loop.
    if (this.codebuf[start] === 'frame = frame.push();\n') this.codebuf[start] = 'frame = frame.push(true);\n';
    this.loopDepth--;
  }

  compileSaltBreak(n: NjNode): void {
    if (this.loopDepth === 0) this.fail('{% break %} outside a {% for %} loop', n.lineno, n.colno);
    this._emitLine('break;');
  }

  compileSaltContinue(n: NjNode): void {
    if (this.loopDepth === 0) this.fail('{% continue %} outside a {% for %} loop', n.lineno, n.colno);
    this._emitLine('continue;');
  }

  /** `{% with %}`: a scope whose names are bound at compile time too, so they shadow outer loop variables. */
  compileSaltWith(n: NjNode, frame: CompileFrame): void {
    const inner = frame.push();
    this._emitLine('frame = frame.push();');
    (n.names as string[]).forEach((name, i) => {
      const id = this._tmpid();
      this._emit(`var ${id} = `);
      this.expr((n.values as NjNode[])[i], frame);
      this._emitLine(';');
      this._emitLine(`frame.set(${JSON.stringify(name)}, ${id});`);
      inner.set(name, id);
    });
    this.compile(n.body as NjNode, inner);
    this._emitLine('frame = frame.pop();');
  }

  /** Salt makes the render context Jinja globals, so imported templates see `salt`, `pillar`, `data`
   * even without `with context`; importing with context gives them the same. */
  compileImport(n: NjNode, frame: unknown): void {
    n.withContext = true;
    this._emitLine(`${this.at(n)};`);
    this.base('compileImport', n, frame);
  }

  compileFromImport(n: NjNode, frame: unknown): void {
    n.withContext = true;
    this._emitLine(`${this.at(n)};`);
    this.base('compileFromImport', n, frame);
  }

  compileInclude(n: NjNode, frame: unknown): void {
    this._emitLine(`${this.at(n)};`);
    this.base('compileInclude', n, frame);
  }
}

/** What a compiled template module exports: `root` and one `b_<name>` per block. */
export type CompiledTemplate = Record<string, (...args: unknown[]) => void>;

/**
 * Compiles Jinja source into the object nunjucks' Template accepts as `{ type: 'code', obj }`. Every
 * function in it uses SALT_RUNTIME, whatever runtime nunjucks passes in.
 */
export function compileTemplate(source: string, name: string, extensions: unknown[]): CompiledTemplate {
  // Default lexer options: trim_blocks and lstrip_blocks off, as in Salt's default Jinja environment.
  const p = new SaltParser(lexer.lex(source, {}));
  p.extensions = extensions;
  const ast = transformer.transform(p.parseAsRoot(), [], name);
  const c = new SaltCompiler(name, false);
  c.compile(ast);
  const prologue = `var __file = ${JSON.stringify(name)};\nvar __pos = [${c.positions.join(',')}];\n`;
  // This is how nunjucks itself loads compiled code; `saltRuntime` is what _emitFuncBegin binds `runtime` to.
  return new Function('saltRuntime', prologue + c.getCode())(SALT_RUNTIME) as CompiledTemplate;
}
