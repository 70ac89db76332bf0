/**
 * `yaml.safe_dump` as Salt calls it for `--out yaml`: PyYAML's SafeDumper (sorted keys, YAML 1.1 quoting,
 * `allow_unicode`, width 80). A port of the parts of PyYAML's Emitter that JSON-shaped data reaches, so
 * the bytes match: js-yaml differs in list indentation, multi-line strings (`|-` where PyYAML writes
 * `'a\n\n  b'`), line folding and the YAML 1.1 words it quotes. Anchors for repeated objects are not made.
 */
import { represent } from './yaml-represent.js';
import type { Node } from './yaml-represent.js';
import { analyzeScalar, chooseStyle, resolvePlain } from './yaml-scalar.js';
import type { ScalarAnalysis } from './yaml-scalar.js';

interface Where {
  root?: boolean;
  sequence?: boolean;
  mapping?: boolean;
  simpleKey?: boolean;
}

const BREAKS = '\n\x85\u2028\u2029';
const ESCAPES: Record<string, string> = {
  '\0': '0', '\x07': 'a', '\x08': 'b', '\t': 't', '\n': 'n', '\x0b': 'v', '\x0c': 'f', '\r': 'r',
  '\x1b': 'e', '"': '"', '\\': '\\', '\x85': 'N', '\xa0': '_', '\u2028': 'L', '\u2029': 'P',
};

class Emitter {
  out = '';
  private column = 0;
  private whitespace = true;
  private indention = true;
  private openEnded = false;
  private flowLevel = 0;
  private indent: number | null = null;
  private readonly indents: (number | null)[] = [];
  private where: Where = {};
  constructor(
    private readonly bestIndent: number,
    private readonly flowStyle: boolean,
    private readonly bestWidth = 80,
  ) {}

  document(root: Node): void {
    this.node(root, { root: true });
    this.writeIndent();
    if (this.openEnded) {
      this.writeIndicator('...', true);
      this.writeIndent();
    }
  }

  private node(n: Node, where: Where): void {
    this.where = where;
    if (n.kind === 'scalar') return this.scalar(n);
    const empty = n.kind === 'seq' ? n.items.length === 0 : n.entries.length === 0;
    const flow = this.flowLevel > 0 || this.flowStyle || empty;
    if (n.kind === 'seq') return flow ? this.flowSequence(n.items) : this.blockSequence(n.items);
    return flow ? this.flowMapping(n.entries) : this.blockMapping(n.entries);
  }

  private blockSequence(items: Node[]): void {
    this.increaseIndent(false, Boolean(this.where.mapping) && !this.indention);
    for (const item of items) {
      this.writeIndent();
      this.writeIndicator('-', true, false, true);
      this.node(item, { sequence: true });
    }
    this.indent = this.indents.pop() ?? null;
  }

  private blockMapping(entries: [Node, Node][]): void {
    this.increaseIndent(false);
    for (const [key, value] of entries) {
      this.writeIndent();
      if (this.isSimpleKey(key)) {
        this.node(key, { mapping: true, simpleKey: true });
        this.writeIndicator(':', false);
      } else {
        this.writeIndicator('?', true, false, true);
        this.node(key, { mapping: true });
        this.writeIndent();
        this.writeIndicator(':', true, false, true);
      }
      this.node(value, { mapping: true });
    }
    this.indent = this.indents.pop() ?? null;
  }

  private flowSequence(items: Node[]): void {
    this.writeIndicator('[', true, true);
    this.flowLevel += 1;
    this.increaseIndent(true);
    items.forEach((item, i) => {
      if (i > 0) this.writeIndicator(',', false);
      if (this.column > this.bestWidth) this.writeIndent();
      this.node(item, { sequence: true });
    });
    this.indent = this.indents.pop() ?? null;
    this.flowLevel -= 1;
    this.writeIndicator(']', false);
  }

  private flowMapping(entries: [Node, Node][]): void {
    this.writeIndicator('{', true, true);
    this.flowLevel += 1;
    this.increaseIndent(true);
    entries.forEach(([key, value], i) => {
      if (i > 0) this.writeIndicator(',', false);
      if (this.column > this.bestWidth) this.writeIndent();
      if (this.isSimpleKey(key)) {
        this.node(key, { mapping: true, simpleKey: true });
        this.writeIndicator(':', false);
      } else {
        this.writeIndicator('?', true);
        this.node(key, { mapping: true });
        if (this.column > this.bestWidth) this.writeIndent();
        this.writeIndicator(':', true);
      }
      this.node(value, { mapping: true });
    });
    this.indent = this.indents.pop() ?? null;
    this.flowLevel -= 1;
    this.writeIndicator('}', false);
  }

  /** `check_simple_key`: the key fits on its line; PyYAML counts the 5-character `!!str` tag in the 128 limit. */
  private isSimpleKey(key: Node): boolean {
    if (key.kind !== 'scalar') return false; // JSON keys are always strings
    const a = analyzeScalar(key.value);
    return a.chars.length + 5 < 128 && !a.empty && !a.multiline;
  }

  private scalar(n: { tag: string; value: string }): void {
    this.increaseIndent(true);
    const a = analyzeScalar(n.value);
    const simpleKey = Boolean(this.where.simpleKey);
    const style = chooseStyle(a, resolvePlain(n.value) === n.tag, { simpleKey, flowLevel: this.flowLevel });
    if (style === '') this.writePlain(a, !simpleKey);
    else if (style === "'") this.writeSingleQuoted(a, !simpleKey);
    else this.writeDoubleQuoted(a, !simpleKey);
    this.indent = this.indents.pop() ?? null;
  }

  private increaseIndent(flow: boolean, indentless = false): void {
    this.indents.push(this.indent);
    if (this.indent === null) this.indent = flow ? this.bestIndent : 0;
    else if (!indentless) this.indent += this.bestIndent;
  }

  private write(data: string): void {
    this.column += Array.from(data).length;
    this.out += data;
  }

  private writeIndicator(indicator: string, needWhitespace: boolean, whitespace = false, indention = false): void {
    const data = this.whitespace || !needWhitespace ? indicator : ' ' + indicator;
    this.whitespace = whitespace;
    this.indention = this.indention && indention;
    this.openEnded = false;
    this.write(data);
  }

  private writeIndent(): void {
    const indent = this.indent ?? 0;
    if (!this.indention || this.column > indent || (this.column === indent && !this.whitespace)) this.writeLineBreak();
    if (this.column < indent) {
      this.whitespace = true;
      this.write(' '.repeat(indent - this.column));
    }
  }

  private writeLineBreak(data = '\n'): void {
    this.whitespace = true;
    this.indention = true;
    this.out += data;
    this.column = 0;
  }

  private writeBreaks(run: readonly string[]): void {
    if (run[0] === '\n') this.writeLineBreak();
    for (const br of run) this.writeLineBreak(br);
    this.writeIndent();
  }

  private writePlain(a: ScalarAnalysis, split: boolean): void {
    if (this.where.root) this.openEnded = true;
    const text = a.chars;
    if (text.length === 0) return;
    if (!this.whitespace) this.write(' ');
    this.whitespace = false;
    this.indention = false;
    let spaces = false;
    let start = 0;
    for (let end = 0; end <= text.length; end++) {
      const ch = text[end];
      if (spaces) {
        if (ch !== ' ') {
          // Fold at a single space once past the width; runs of spaces are kept as they are.
          if (start + 1 === end && this.column > this.bestWidth && split) {
            this.writeIndent();
            this.whitespace = false;
            this.indention = false;
          } else this.write(text.slice(start, end).join(''));
          start = end;
        }
      } else if (ch === undefined || ch === ' ') {
        this.write(text.slice(start, end).join(''));
        start = end;
      }
      if (ch !== undefined) spaces = ch === ' ';
    }
  }

  private writeSingleQuoted(a: ScalarAnalysis, split: boolean): void {
    const text = a.chars;
    this.writeIndicator("'", true);
    let spaces = false;
    let breaks = false;
    let start = 0;
    for (let end = 0; end <= text.length; end++) {
      const ch = text[end];
      if (spaces) {
        if (ch !== ' ') {
          if (start + 1 === end && this.column > this.bestWidth && split && start !== 0 && end !== text.length) this.writeIndent();
          else this.write(text.slice(start, end).join(''));
          start = end;
        }
      } else if (breaks) {
        if (ch === undefined || !BREAKS.includes(ch)) {
          this.writeBreaks(text.slice(start, end));
          start = end;
        }
      } else if (ch === undefined || ch === ' ' || ch === "'" || BREAKS.includes(ch)) {
        if (start < end) {
          this.write(text.slice(start, end).join(''));
          start = end;
        }
      }
      if (ch === "'") {
        this.write("''");
        start = end + 1;
      }
      if (ch !== undefined) {
        spaces = ch === ' ';
        breaks = BREAKS.includes(ch);
      }
    }
    this.writeIndicator("'", false);
  }

  private writeDoubleQuoted(a: ScalarAnalysis, split: boolean): void {
    const text = a.chars;
    this.writeIndicator('"', true);
    let start = 0;
    for (let end = 0; end <= text.length; end++) {
      const ch = text[end];
      const cp = ch?.codePointAt(0) ?? 0;
      const plain = ch !== undefined && !'"\\\x85\u2028\u2029\ufeff'.includes(ch) &&
        ((cp >= 0x20 && cp <= 0x7e) || (cp >= 0xa0 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd));
      if (!plain) {
        if (start < end) {
          this.write(text.slice(start, end).join(''));
          start = end;
        }
        if (ch !== undefined) {
          const hex = cp.toString(16).toUpperCase();
          const esc = ESCAPES[ch] ?? (cp <= 0xff ? `x${hex.padStart(2, '0')}` : cp <= 0xffff ? `u${hex.padStart(4, '0')}` : `U${hex.padStart(8, '0')}`);
          this.write('\\' + esc);
          start = end + 1;
        }
      }
      if (end > 0 && end < text.length - 1 && (ch === ' ' || start >= end) && this.column + (end - start) > this.bestWidth && split) {
        const data = text.slice(start, end).join('') + '\\';
        if (start < end) start = end;
        this.write(data);
        this.writeIndent();
        this.whitespace = false;
        this.indention = false;
        if (text[start] === ' ') this.write('\\');
      }
    }
    this.writeIndicator('"', false);
  }
}

export interface PyYamlOptions {
  /** PyYAML's `indent`: used only when between 2 and 9. @default 2 */
  indent?: number | undefined;
  /** `default_flow_style=True`: everything in `{}`/`[]`. @default false */
  flowStyle?: boolean | undefined;
}

/** `yaml.safe_dump(data, default_flow_style=False, allow_unicode=True)`, ending in a newline. */
export function pyYamlSafeDump(data: unknown, options: PyYamlOptions = {}): string {
  const indent = options.indent !== undefined && options.indent > 1 && options.indent < 10 ? options.indent : 2;
  const emitter = new Emitter(indent, options.flowStyle ?? false);
  emitter.document(represent(data));
  return emitter.out;
}
