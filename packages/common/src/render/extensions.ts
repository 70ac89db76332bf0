/**
 * Tags Salt's Jinja environment has and nunjucks lacks: `{% do expr %}` (jinja2.ext.do),
 * `{% break %}`/`{% continue %}` (jinja2.ext.loopcontrols), `{% with %}` (jinja2.ext.with_), and Salt's
 * SerializerExtension blocks `{% load_yaml as x %}...{% endload %}` (also load_json, load_text) and
 * `{% import_yaml 'file' as x %}` (also import_json, import_text). The import tags render the file
 * with the current context (Salt renders it without), then parse it.
 */
import type { NjNode, NjParser } from './nunjucks-internals.js';
import { lexer, nodes } from './nunjucks-internals.js';
import { Break, Continue, With } from './parser.js';

type NodeCtor = new (lineno: number, colno: number, ...fields: unknown[]) => NjNode;
type Kind = 'yaml' | 'json' | 'text';

function n(name: string): NodeCtor {
  return nodes[name] as unknown as NodeCtor;
}

/** A nunjucks extension: the tag names it claims and a parser for them. */
export interface TagExtension {
  tags: string[];
  parse(parser: NjParser): NjNode;
  run?(...args: unknown[]): unknown;
}

function targetName(parser: NjParser, tag: string): NjNode {
  if (!parser.skipSymbol('as')) parser.fail(`${tag}: expected "as <name>"`);
  const tok = parser.nextToken();
  if (tok.type !== lexer.TOKEN_SYMBOL) parser.fail(`${tag}: expected a variable name after "as"`, tok.lineno, tok.colno);
  return new (n('Symbol'))(tok.lineno, tok.colno, tok.value);
}

/** `x = (captured text) | load_<kind>`; text is kept as is. */
function assign(tok: NjNode | { lineno: number; colno: number }, target: NjNode, captured: NjNode, kind: Kind): NjNode {
  const value =
    kind === 'text'
      ? captured
      : new (n('Filter'))(tok.lineno, tok.colno, new (n('Symbol'))(tok.lineno, tok.colno, `load_${kind}`), new (n('NodeList'))(tok.lineno, tok.colno, [captured]));
  return new (n('Set'))(tok.lineno, tok.colno, [target], value);
}

export const DO_EXTENSION: TagExtension = {
  tags: ['do'],
  parse(parser) {
    const tok = parser.nextToken();
    const expr = parser.parseExpression();
    parser.advanceAfterBlockEnd(tok.value);
    // CallExtension's constructor is (extension, method, args), unlike other nodes.
    const CallExtension = nodes.CallExtension as unknown as new (ext: object, method: string, args: NjNode) => NjNode;
    return new CallExtension(this, 'run', new (n('NodeList'))(tok.lineno, tok.colno, [expr]));
  },
  // The expression already ran when its argument was evaluated; `do` prints nothing.
  run: () => '',
};

function loopControl(tag: 'break' | 'continue'): TagExtension {
  return {
    tags: [tag],
    parse(parser) {
      const tok = parser.nextToken();
      parser.advanceAfterBlockEnd(tok.value);
      return new (tag === 'break' ? Break : Continue)(tok.lineno, tok.colno);
    },
  };
}

const WITH_EXTENSION: TagExtension = {
  tags: ['with'],
  parse(parser) {
    const tok = parser.nextToken();
    const names: string[] = [];
    const values: NjNode[] = [];
    while (parser.peekToken().type === lexer.TOKEN_SYMBOL) {
      names.push(parser.nextToken().value);
      if (!parser.skipValue(lexer.TOKEN_OPERATOR, '=')) parser.fail('with: expected "name = value"', tok.lineno, tok.colno);
      values.push(parser.parseExpression());
      if (!parser.skip(lexer.TOKEN_COMMA)) break;
    }
    parser.advanceAfterBlockEnd(tok.value);
    const body = parser.parseUntilBlocks('endwith');
    parser.advanceAfterBlockEnd();
    return new With(tok.lineno, tok.colno, names, values, body);
  },
};

function loadExtension(kind: Kind): TagExtension {
  return {
    tags: [`load_${kind}`],
    parse(parser) {
      const tok = parser.nextToken();
      const target = targetName(parser, tok.value);
      parser.advanceAfterBlockEnd(tok.value);
      const body = parser.parseUntilBlocks('endload');
      parser.advanceAfterBlockEnd();
      return assign(tok, target, new (n('Capture'))(tok.lineno, tok.colno, body), kind);
    },
  };
}

function importExtension(kind: Kind): TagExtension {
  return {
    tags: [`import_${kind}`],
    parse(parser) {
      const tok = parser.nextToken();
      const template = parser.parseExpression();
      const target = targetName(parser, tok.value);
      parser.advanceAfterBlockEnd(tok.value);
      const include = new (n('Include'))(tok.lineno, tok.colno, template, false);
      const body = new (n('NodeList'))(tok.lineno, tok.colno, [include]);
      return assign(tok, target, new (n('Capture'))(tok.lineno, tok.colno, body), kind);
    },
  };
}

export const SALT_EXTENSIONS: Readonly<Record<string, TagExtension>> = {
  do: DO_EXTENSION,
  break: loopControl('break'),
  continue: loopControl('continue'),
  with: WITH_EXTENSION,
  load_yaml: loadExtension('yaml'),
  load_json: loadExtension('json'),
  load_text: loadExtension('text'),
  import_yaml: importExtension('yaml'),
  import_json: importExtension('json'),
  import_text: importExtension('text'),
};
