/**
 * The parts of nunjucks 3.2 we build on that @types/nunjucks does not describe: its parser, compiler,
 * node classes, lexer token names and runtime. They are public properties of the nunjucks module
 * (nunjucks' own precompiler and Jinja-compat layer use them), but untyped, so their shapes are
 * declared here once and every other file imports them from here.
 */
import transformerModule from 'nunjucks/src/transformer.js';
import nunjucks from 'nunjucks';

/** An AST node. Fields vary by node type; `typename` picks the compiler method (`compile<Typename>`). */
export interface NjNode {
  readonly typename: string;
  lineno: number;
  colno: number;
  [field: string]: unknown;
}

export type NjNodeClass = (new (lineno: number, colno: number, ...fields: unknown[]) => NjNode) & {
  extend(name: string, props: { fields: string[] }): NjNodeClass;
};

export interface NjToken {
  type: string;
  value: string;
  lineno: number;
  colno: number;
}

/** The parser methods our subclass calls or overrides. */
export interface NjParser {
  extensions: unknown[];
  peekToken(): NjToken;
  nextToken(): NjToken;
  skip(type: string): boolean;
  skipSymbol(name: string): boolean;
  skipValue(type: string, value: string): boolean;
  parseUntilBlocks(...names: string[]): NjNode;
  fail(message: string, lineno?: number, colno?: number): never;
  parseExpression(): NjNode;
  parseCompare(): NjNode;
  parsePrimary(noPostfix?: boolean): NjNode;
  parsePostfix(node: NjNode): NjNode;
  parseSignature(tolerant?: boolean, noParens?: boolean): NjNode;
  parseAsRoot(): NjNode;
  advanceAfterBlockEnd(name?: string): NjToken;
}

/** The compiler methods our subclass calls or overrides. */
export interface NjCompiler {
  codebuf: string[];
  compile(node: NjNode, frame?: unknown): void;
  _compileExpression(node: NjNode, frame: unknown): void;
  _withScopedSyntax(fn: () => void): void;
  _emit(code: string): void;
  _emitLine(code: string): void;
  _tmpid(): string;
  compileLiteral(node: NjNode, frame: unknown): void;
  assertType(node: NjNode, ...types: NjNodeClass[]): void;
  getCode(): string;
  fail(message: string, lineno?: number, colno?: number): never;
}

export interface NjTemplateErrorShape extends Error {
  lineno?: number;
  colno?: number;
  cause?: unknown;
}

interface Internals {
  parser: { Parser: new (tokens: unknown) => NjParser };
  compiler: { Compiler: new (name: string, throwOnUndefined: boolean) => NjCompiler };
  lexer: {
    lex(src: string, opts: object): unknown;
    TOKEN_LEFT_PAREN: string;
    TOKEN_LEFT_BRACKET: string;
    TOKEN_RIGHT_BRACKET: string;
    TOKEN_OPERATOR: string;
    TOKEN_SYMBOL: string;
    TOKEN_INT: string;
    TOKEN_COLON: string;
    TOKEN_COMMA: string;
    TOKEN_STRING: string;
    TOKEN_FLOAT: string;
    TOKEN_BOOLEAN: string;
    TOKEN_NONE: string;
    TOKEN_LEFT_CURLY: string;
  };
  nodes: Record<string, NjNodeClass>;
  runtime: Record<string, unknown> & { SafeString: new (value: string) => object };
  lib: { TemplateError: new (message: string, lineno?: number, colno?: number) => NjTemplateErrorShape };
}

const internals = nunjucks as unknown as Internals;

export const { parser, compiler, lexer, nodes, runtime, lib } = internals;

/**
 * The pass that lifts `super()` and async filters is not on the module object; nunjucks has no
 * exports map, so its file is imported by path (statically, so bundlers follow it too).
 */
export const transformer = transformerModule as unknown as {
  transform(ast: NjNode, asyncFilters: string[], name: string): NjNode;
};
export { nunjucks };
