/**
 * nunjucks' parser, subclassed for Jinja syntax it lacks: slices (`x[1:]`, `x[::-1]`), integer
 * attributes (`list.0`), Jinja's one-argument tests without parentheses (`n is divisibleby 3`), and a
 * mark on `x.name` lookups so they can prefer Python methods, as Jinja's getattr does.
 */
import type { NjNode, NjNodeClass, NjParser } from './nunjucks-internals.js';
import { lexer, nodes, parser } from './nunjucks-internals.js';

const BaseParser = parser.Parser as unknown as new (tokens: unknown) => NjParser;

export function node(name: string): NjNodeClass {
  const found = nodes[name];
  if (found === undefined) throw new Error(`nunjucks has no ${name} node`);
  return found;
}

/** `x[start:stop:step]`; a null field means "omitted". */
export const Slice = node('Node').extend('SaltSlice', { fields: ['start', 'stop', 'step'] });
/** The iterable of a one-name `for`, walked as Python does (a dict yields its keys). */
export const Iter = node('Node').extend('SaltIter', { fields: ['target'] });
/** `{% break %}` / `{% continue %}` (jinja2.ext.loopcontrols, which Salt enables). */
export const Break = node('Node').extend('SaltBreak', { fields: [] });
export const Continue = node('Node').extend('SaltContinue', { fields: [] });
/** `{% with a = 1 %}...{% endwith %}`: names and values are parallel lists. */
export const With = node('Node').extend('SaltWith', { fields: ['names', 'values', 'body'] });
const LookupVal = node('LookupVal');
const FunCall = node('FunCall');
const Literal = node('Literal');
const NodeArray = node('Array');

// Jinja's parse_test: these tokens after a test name start its single argument.
function startsTestArgument(tok: { type: string; value: string }): boolean {
  if (tok.type === lexer.TOKEN_SYMBOL) return !['else', 'or', 'and', 'if', 'is', 'in', 'not'].includes(tok.value);
  return [lexer.TOKEN_STRING, lexer.TOKEN_INT, lexer.TOKEN_FLOAT, lexer.TOKEN_BOOLEAN, lexer.TOKEN_NONE, lexer.TOKEN_LEFT_BRACKET, lexer.TOKEN_LEFT_CURLY].includes(tok.type);
}

export class SaltParser extends BaseParser {
  /** Same as nunjucks' parsePostfix, plus slices, `.0` and a mark on `.name` lookups (Jinja's getattr). */
  override parsePostfix(target: NjNode): NjNode {
    let result = target;
    for (let tok = this.peekToken(); tok; tok = this.peekToken()) {
      if (tok.type === lexer.TOKEN_LEFT_PAREN) {
        result = new FunCall(tok.lineno, tok.colno, result, this.parseSignature());
      } else if (tok.type === lexer.TOKEN_LEFT_BRACKET) {
        result = new LookupVal(tok.lineno, tok.colno, result, this.parseSubscript());
      } else if (tok.type === lexer.TOKEN_OPERATOR && tok.value === '.') {
        this.nextToken();
        const name = this.nextToken();
        if (name.type !== lexer.TOKEN_SYMBOL && name.type !== lexer.TOKEN_INT) {
          this.fail(`expected a name after '.', got ${JSON.stringify(name.value)}`, name.lineno, name.colno);
        }
        const key = name.type === lexer.TOKEN_INT ? Number(name.value) : name.value;
        result = new LookupVal(tok.lineno, tok.colno, result, new Literal(name.lineno, name.colno, key));
        result.attr = true;
      } else {
        break;
      }
    }
    return result;
  }

  /** nunjucks' parseIs, plus Jinja's test argument without parentheses (`x is sameas none`, `n is divisibleby 3`). */
  parseIs(): NjNode {
    const subject = this.parseCompare();
    const tok = this.peekToken();
    if (!this.skipSymbol('is')) return subject;
    const negated = this.skipSymbol('not');
    let test = this.parseCompare();
    const next = this.peekToken();
    if (test.typename !== 'FunCall' && next && startsTestArgument(next)) {
      const arg = this.parsePostfix(this.parsePrimary(true));
      test = new FunCall(test.lineno, test.colno, test, new (node('NodeList'))(next.lineno, next.colno, [arg]));
    }
    const is = new (node('Is'))(tok.lineno, tok.colno, subject, test);
    return negated ? new (node('Not'))(tok.lineno, tok.colno, is) : is;
  }

  /** `[expr]` or a slice `[a:b:c]` with any part omitted. */
  parseSubscript(): NjNode {
    const open = this.nextToken();
    const parts: (NjNode | null)[] = [null, null, null];
    let index = 0;
    let isSlice = false;
    for (;;) {
      const tok = this.peekToken();
      if (!tok) this.fail('unexpected end of template inside [ ]', open.lineno, open.colno);
      if (this.skip(lexer.TOKEN_RIGHT_BRACKET)) break;
      if (this.skip(lexer.TOKEN_COLON)) {
        isSlice = true;
        if (++index > 2) this.fail('too many : in a slice', tok.lineno, tok.colno);
        continue;
      }
      if (parts[index] !== null) this.fail("expected ']' or ':' in a subscript", tok.lineno, tok.colno);
      parts[index] = this.parseExpression();
      if (!isSlice && this.skip(lexer.TOKEN_COMMA)) {
        // `d[a, b]` indexes with a tuple; parse the rest as a list literal.
        const items = [parts[0] as NjNode];
        while (!this.skip(lexer.TOKEN_RIGHT_BRACKET)) {
          items.push(this.parseExpression());
          this.skip(lexer.TOKEN_COMMA);
        }
        return new NodeArray(open.lineno, open.colno, items);
      }
    }
    if (isSlice) return new Slice(open.lineno, open.colno, parts[0], parts[1], parts[2]);
    const index0 = parts[0];
    if (index0 === null || index0 === undefined) return this.fail('empty subscript []', open.lineno, open.colno);
    return index0;
  }
}
