/**
 * Guarded output: a value printed with `{{ }}` can never change the structure of the YAML a template
 * renders to. Salt pastes event data into the text before YAML reads it, so a minion that fires an event
 * whose value holds a newline and indentation can add reactions of its own choosing. Here, a printed
 * value that could form structure is replaced in the text by a placeholder (a random, per-render token
 * that is a plain YAML scalar), the text is parsed, and each placeholder is then put back as data:
 *
 * - a placeholder that is a whole plain scalar becomes what Salt would have made of the value when it
 *   is one scalar (`{{ 5 }}` → 5, `{{ 'web1' }}` → 'web1', `{{ some_list }}` → that list), and stays a
 *   string when the text would have parsed as anything more (`a: b`, a newline, `&x [*x]`);
 * - inside a longer or quoted scalar, and in mapping keys, it becomes the value's text.
 *
 * Text that cannot form structure (ids, paths, numbers) is printed as is, so the rendered text still
 * reads like Salt's. Output the author asked to be structure is printed as is too: `|json`, `|tojson`,
 * `|yaml` (flow style), `|yaml_dquote`, `|yaml_squote`, `|yaml_encode` (filters.ts marks their results
 * with `trustOutput`), and macro, `caller()` and `|safe` output (nunjucks SafeString).
 */
import { randomBytes } from 'node:crypto';
import yaml from 'js-yaml';
import { TemplateError } from './errors.js';
import { pyStr } from './python/values.js';
import { parseYaml, SALT_YAML_SCHEMA } from './yaml.js';

const PLACEHOLDER = /SALTMQ([0-9a-f]{16})N(\d+)Q/g;
const WHOLE_PLACEHOLDER = /^SALTMQ[0-9a-f]{16}N\d+Q$/;
/** Printed text that is the same scalar wherever it lands: no YAML indicator, space or quote. */
const INERT = /^[A-Za-z0-9_][A-Za-z0-9_./+=@-]*$/;
/** Values longer than this are not tried as a YAML scalar: they stay strings. */
const SCALAR_PARSE_LIMIT = 1024;
/** Most nodes a rendered document may expand to when its aliases are followed (an alias bomb stops here). */
export const EXPANDED_NODE_LIMIT = 1_000_000;

// The token's nonce is random (event data cannot predict it) and changes every NONCE_USES renders, so
// the random source is not paid for on every render; each render's values are its own either way.
const NONCE_USES = 4096;
let nonce = randomBytes(8).toString('hex');
let nonceUses = 0;
function nextNonce(): string {
  if (++nonceUses >= NONCE_USES) {
    nonce = randomBytes(8).toString('hex');
    nonceUses = 0;
  }
  return nonce;
}

/** One render pass's placeholders and the filter outputs it trusts as structure. */
export class OutputGuard {
  readonly nonce = nextNonce();
  readonly values: unknown[] = [];
  readonly trusted = new Set<string>();

  placeholder(value: unknown): string {
    return `SALTMQ${this.nonce}N${this.values.push(value) - 1}Q`;
  }

  /** The text a value printed as (placeholders inside it, from captured blocks, resolved too). */
  textOf(value: unknown): string {
    return typeof value === 'string' ? this.replaceIn(value) : pyStr(value);
  }

  /** A string with every placeholder of this render replaced by its value's text. */
  replaceIn(text: string): string {
    if (!text.includes('SALTMQ')) return text;
    return text.replace(PLACEHOLDER, (whole, nonce: string, index: string) => {
      const i = Number(index);
      return nonce === this.nonce && i < this.values.length ? this.textOf(this.values[i]) : whole;
    });
  }

  /** What a placeholder standing alone as a plain scalar becomes. */
  wholeValue(token: string): unknown {
    const match = /^SALTMQ([0-9a-f]{16})N(\d+)Q$/.exec(token);
    const i = Number(match?.[2]);
    if (match?.[1] !== this.nonce || i >= this.values.length) return token;
    const value = this.values[i];
    if (Array.isArray(value) || isPlainDict(value)) return this.copyData(value);
    return oneScalar(this.textOf(value));
  }

  /** Data printed whole: kept as data, with placeholders in its strings resolved. */
  private copyData(value: unknown): unknown {
    if (typeof value === 'string') return this.replaceIn(value);
    if (Array.isArray(value)) return value.map((item) => this.copyData(item));
    if (isPlainDict(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.copyData(v)]));
    return value;
  }
}

function isPlainDict(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

let active: OutputGuard | undefined;

/** Guards the `{{ }}` output of one synchronous render pass; returns the function that ends it. */
export function enterGuard(guard: OutputGuard | undefined): () => void {
  const saved = active;
  active = guard;
  return () => {
    active = saved;
  };
}

/** The guard of the pass being rendered, if any (load_yaml parses guarded text with it). */
export function activeGuard(): OutputGuard | undefined {
  return active;
}

/** Marks a filter's result as structure the author asked for; it is printed unguarded. */
export function trustOutput(text: string): string {
  active?.trusted.add(text);
  return text;
}

/** What `{{ value }}` adds to the text, given the text nunjucks would print for it. */
export function guardText(value: unknown, text: string): string {
  if (active === undefined || text === '' || INERT.test(text)) return text;
  if (typeof value === 'string' && active.trusted.has(value)) return text;
  return active.placeholder(value);
}

/** Text that YAML reads as more than one plain scalar, or not plainly: kept as a string without parsing. */
const STRUCTURAL = /[\r\n]|: |:$| #|^[-?:,[\]{}#&*!|>'"%@`](?:\s|$)|^[[{&*!|>'"%@`]|^\s|\s$/;
/** Words and spaces only: always a plain string in YAML, no parse needed. */
const PLAIN_WORDS = /^[A-Za-z_/][\w./+=@ -]*$/;

/** Salt's reading of `text` when it stands alone as a plain scalar, or the text itself if it is more. */
function oneScalar(text: string): unknown {
  if (text === '') return null;
  if (text.length > SCALAR_PARSE_LIMIT || STRUCTURAL.test(text)) return text;
  if (PLAIN_WORDS.test(text) && !/^(?:y|n|yes|no|on|off|true|false|null)$/i.test(text)) return text;
  try {
    const parsed: unknown = yaml.load(text, { schema: SALT_YAML_SCHEMA });
    const scalar = parsed === null || ['string', 'number', 'boolean'].includes(typeof parsed);
    return scalar && parsed !== undefined ? parsed : text;
  } catch {
    return text;
  }
}

/** A placeholder read as a whole plain scalar; its toString keeps it usable as a mapping key. */
export class Placeholder {
  constructor(readonly token: string) {}
  toString(): string {
    return this.token;
  }
  // js-yaml turns an object key into '[object Object]' unless its class tag says otherwise.
  get [Symbol.toStringTag](): string {
    return 'Placeholder';
  }
}

export const PLACEHOLDER_TYPE = new yaml.Type('tag:saltmq,2026:placeholder', {
  kind: 'scalar',
  resolve: (text: string | null) => text !== null && text.startsWith('SALTMQ') && WHOLE_PLACEHOLDER.test(text),
  construct: (text: string) => new Placeholder(text),
  instanceOf: Placeholder,
});

const GUARDED_SCHEMA = SALT_YAML_SCHEMA.extend({ implicit: [PLACEHOLDER_TYPE] });

/** Parses guarded text and puts the printed values back; an alias bomb is refused, not expanded. */
export function parseGuardedYaml(text: string, file: string, guard: OutputGuard): unknown {
  const parsed = parseYaml(text, file, { schema: GUARDED_SCHEMA, display: (t) => guard.replaceIn(t) });
  // Only aliases (`*name`) can make the data bigger than the text.
  if (text.includes('*') && expandedSize(parsed) > EXPANDED_NODE_LIMIT) {
    throw new TemplateError(file, 'yaml', `the rendered YAML expands to more than ${EXPANDED_NODE_LIMIT} nodes through its anchors and aliases`);
  }
  if (guard.values.length === 0) return parsed;
  try {
    return resolvePlaceholders(parsed, guard);
  } catch (error) {
    throw new TemplateError(file, 'yaml', (error as Error).message, { cause: error });
  }
}

/**
 * Puts the values back into freshly parsed data, in place (the parser's output is ours). Shared
 * subtrees (YAML aliases) are visited once; a mapping whose keys hold placeholders is rebuilt in the
 * same key order, and two keys that become the same text are an error, as a duplicate key is.
 */
export function resolvePlaceholders(data: unknown, guard: OutputGuard): unknown {
  const seen = new Set<object>();
  const walk = (node: unknown): unknown => {
    if (node instanceof Placeholder) return guard.wholeValue(node.token);
    if (typeof node === 'string') return guard.replaceIn(node);
    if (node === null || typeof node !== 'object' || seen.has(node)) return node;
    seen.add(node);
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i++) node[i] = walk(node[i]);
      return node;
    }
    if (!isPlainDict(node)) return node;
    const keys = Object.keys(node);
    if (!keys.some((key) => key.includes('SALTMQ'))) {
      for (const key of keys) node[key] = walk(node[key]);
      return node;
    }
    const out: Record<string, unknown> = {};
    for (const rawKey of keys) {
      const key = guard.replaceIn(rawKey);
      if (key !== rawKey && Object.hasOwn(out, key)) throw new Error(`duplicate key '${key}' after the printed values were put back`);
      out[key] = walk(node[rawKey]);
    }
    return out;
  };
  return walk(data);
}

/** How many nodes `data` has with every alias followed; stops counting past `limit`. */
export function expandedSize(data: unknown, limit = EXPANDED_NODE_LIMIT): number {
  const sizes = new Map<object, number>();
  const size = (node: unknown): number => {
    if (node === null || typeof node !== 'object') return 1;
    const known = sizes.get(node);
    if (known !== undefined) return known;
    sizes.set(node, 1); // a cycle counts once
    let total = 1;
    const children = Array.isArray(node) ? node : isPlainDict(node) ? Object.values(node) : [];
    for (const child of children) {
      total += size(child);
      if (total > limit) break;
    }
    sizes.set(node, total);
    return total;
  };
  return size(data);
}
