/**
 * The runtime our compiled templates call instead of nunjucks' global one. Every function the compiler
 * (compiler.ts) generates binds this object as its `runtime`, so nothing in the nunjucks module is
 * patched and other nunjucks users in the process keep nunjucks' semantics.
 *
 * What differs from nunjucks, and why:
 * - lookups follow Jinja: `x.name` prefers a Python method, `x['name']` prefers the item; negative indexes;
 *   Python str/list/dict methods instead of JavaScript ones; reading through an undefined value raises
 *   Jinja's UndefinedError message ("'dict object' has no attribute 'missing'") instead of yielding undefined;
 * - printing is Python's `str()`: True, None, `['a', 'b']`, `{'k': 'v'}` (so `{{ list }}` is YAML flow);
 * - `and`/`or`/`not`/`if` use Python truthiness (empty lists and dicts are false), `==` compares deeply,
 *   `~` concatenates `str()`s, `%` formats strings, `+` joins lists and `*` repeats strings.
 */
import { RenderFault } from './errors.js';
import { guardText } from './guard.js';
import { runtime as njRuntime } from './nunjucks-internals.js';
import { DICT_METHODS, LIST_METHODS, indexOf, pySlice, remember } from './python/collections.js';
import { percentFormat } from './python/format.js';
import { STRING_METHODS } from './python/strings.js';
import { BLOCKED_KEYS, isDict, isThenable, pyEq, pyIter, pyStr, pyTruthy, pyTypeName, PythonError } from './python/values.js';

/** Objects that resolve their own members (the `salt` function table). */
export const CUSTOM_LOOKUP = Symbol('saltmq.render.lookup');
export interface CustomLookup {
  [CUSTOM_LOOKUP](key: string): unknown;
  /** Jinja-style text for a key that is not there. */
  describeMissing(key: string): string;
}

function isCustom(value: object): value is CustomLookup {
  return CUSTOM_LOOKUP in value;
}

// Why the most recent lookup produced Undefined. Rendering is synchronous, so the lookup that fails next
// is almost always the one fed by this Undefined: `data['missing']['x']` reports 'missing', as Jinja does.
let lastMissing: string | undefined;

// Salt renders with StrictUndefined unless `allow_undefined` is set: using an undefined value (printing,
// testing, iterating, comparing) raises instead of acting as ''. Set per render pass by the renderer.
let strictUndefined = false;

/** A template position the compiled code stores in `runtime.at` before each expression that can fail. */
export interface SourcePosition {
  file: string;
  line: number;
  column: number;
}

/**
 * Sets the undefined mode for one synchronous render pass and clears the last position; returns the
 * function that restores the previous state (a salt function may start another render inside this one).
 */
export function enterRenderPass(strict: boolean): () => void {
  const saved = { strict: strictUndefined, at: SALT_RUNTIME.at };
  strictUndefined = strict;
  lastMissing = undefined;
  SALT_RUNTIME.at = undefined;
  return () => {
    strictUndefined = saved.strict;
    SALT_RUNTIME.at = saved.at;
  };
}

/** The position of the last expression that started evaluating in this pass. */
export function lastPosition(): SourcePosition | undefined {
  return SALT_RUNTIME.at as SourcePosition | undefined;
}

/** In strict mode, refuses to use an undefined value the way StrictUndefined does. */
function used<T>(value: T): T {
  if (value === undefined && strictUndefined) throw new PythonError('UndefinedError', lastMissing ?? 'an undefined value was used');
  return value;
}

function miss(why: string): undefined {
  lastMissing = why;
  return undefined;
}

function bind<T>(methods: Readonly<Record<string, (self: T, ...args: unknown[]) => unknown>>, self: T, key: string): unknown {
  const method = Object.prototype.hasOwnProperty.call(methods, key) ? methods[key] : undefined;
  return method === undefined ? undefined : (...args: unknown[]) => method(self, ...args);
}

function undefinedError(key: unknown): never {
  throw new PythonError('UndefinedError', lastMissing ?? `cannot read ${JSON.stringify(key)} of an undefined value`);
}

/** Shared by both lookups: values that are neither str, list nor dict. */
function otherLookup(obj: object, key: unknown): unknown {
  if (isCustom(obj)) {
    const found = obj[CUSTOM_LOOKUP](String(key));
    return found === undefined ? miss(obj.describeMissing(String(key))) : found;
  }
  const value = (obj as Record<PropertyKey, unknown>)[key as PropertyKey];
  if (typeof value === 'function') return (...args: unknown[]) => (value as (...a: unknown[]) => unknown).apply(obj, args);
  return value === undefined ? miss(`'${pyTypeName(obj)}' has no attribute '${pyStr(key)}'`) : value;
}

/** `obj[key]`: the item first, then an attribute (Jinja's getitem). */
function memberLookup(obj: unknown, key: unknown): unknown {
  if (obj === undefined) return undefinedError(key);
  if (obj === null) return miss(`'None' has no attribute '${pyStr(key)}'`);
  if (typeof key === 'string' && BLOCKED_KEYS.has(key)) return miss(`access to '${key}' is not allowed`);
  let found: unknown;
  if (typeof obj === 'string') {
    const i = indexOf(obj.length, key);
    found = i === undefined ? (typeof key === 'string' ? bind(STRING_METHODS, obj, key) : undefined) : obj[i];
  } else if (Array.isArray(obj)) {
    const i = indexOf(obj.length, key);
    found = i === undefined ? (typeof key === 'string' ? bind(LIST_METHODS, obj, key) : undefined) : obj[i];
  } else if (isDict(obj)) {
    const k = String(key);
    found = Object.prototype.hasOwnProperty.call(obj, k) ? obj[k] : bind(DICT_METHODS, obj, k);
  } else if (typeof obj === 'object' || typeof obj === 'function') {
    return otherLookup(obj, key);
  }
  if (found !== undefined) return found;
  const what = typeof key === 'number' ? `${pyTypeName(obj).replace(' object', '')} index out of range: ${key}` : `'${pyTypeName(obj)}' has no attribute '${pyStr(key)}'`;
  return miss(what);
}

/** `obj.name`: a Python method first, then the item (Jinja's getattr). */
function attrLookup(obj: unknown, name: unknown): unknown {
  if (obj === undefined) return undefinedError(name);
  const key = String(name);
  let method: unknown;
  if (typeof obj === 'string') method = bind(STRING_METHODS, obj, key);
  else if (Array.isArray(obj)) method = bind(LIST_METHODS, obj, key);
  else if (isDict(obj)) method = bind(DICT_METHODS, obj, key);
  return method ?? memberLookup(obj, name);
}

function sliceLookup(obj: unknown, start: unknown, stop: unknown, step: unknown): unknown {
  if (obj === undefined) return undefinedError('[:]');
  return pySlice(obj, start, stop, step);
}

interface NjFrame {
  lookup(name: string): unknown;
}
interface NjContext {
  lookup(name: string): unknown;
}

function contextOrFrameLookup(context: NjContext, frame: NjFrame, name: string): unknown {
  const local = frame.lookup(name);
  if (local !== undefined) return local;
  const value = context.lookup(name);
  // The context is a plain object: a name like 'toString' must not find Object.prototype's method.
  if (value !== undefined && value !== (Object.prototype as unknown as Record<string, unknown>)[name]) return value;
  return miss(`'${name}' is undefined`);
}

function suppressValue(value: unknown): string {
  if (typeof value === 'string') return value;
  used(value);
  if (isThenable(value)) {
    throw new PythonError('TypeError', 'a value printed by {{ }} is a Promise; only functions reached through `salt` may be asynchronous');
  }
  return pyStr(value);
}

/** `{{ value }}` in a guarded render (guard.ts): macro, caller() and |safe output are the template's own. */
function guardOutput(value: unknown): string {
  const text = suppressValue(value);
  return value instanceof njRuntime.SafeString ? text : guardText(value, text);
}

function callWrap(fn: unknown, name: string, context: unknown, args: unknown[]): unknown {
  if (typeof fn !== 'function') {
    if (fn === undefined) throw new PythonError('UndefinedError', lastMissing ?? `'${name}' is undefined`);
    throw new PythonError('TypeError', `'${pyTypeName(fn)}' is not callable (${name})`);
  }
  const result: unknown = (fn as (...a: unknown[]) => unknown).apply(context, args);
  if (result === undefined) lastMissing = `${name}() returned nothing`;
  return result;
}

function inOperator(key: unknown, container: unknown): boolean {
  used(key);
  if (typeof container === 'string' || container instanceof njRuntime.SafeString) {
    if (typeof key !== 'string' && !(key instanceof njRuntime.SafeString)) {
      throw new PythonError('TypeError', `'in <string>' requires string as left operand, not ${pyTypeName(key).replace(' object', '')}`);
    }
    return String(container).includes(String(key));
  }
  if (Array.isArray(container)) return container.some((item) => pyEq(item, key));
  if (isDict(container)) return Object.prototype.hasOwnProperty.call(container, String(key));
  if (container instanceof Map || container instanceof Set) return container.has(key);
  if (container === undefined) throw new PythonError('UndefinedError', lastMissing ?? "argument of type 'Undefined' is not iterable");
  if (container === null) throw new PythonError('TypeError', "argument of type 'NoneType' is not iterable");
  if (typeof container === 'object') return String(key) in container;
  throw new PythonError('TypeError', `argument of type '${pyTypeName(container).replace(' object', '')}' is not iterable`);
}

/** Called by every template function's catch; the position is the one recorded by the failing expression. */
function handleError(error: unknown, lineno: number | null, colno: number | null): unknown {
  if (error instanceof RenderFault || (error as { lineno?: unknown } | null)?.lineno) return error;
  const at = lastPosition();
  const message = error instanceof Error ? error.message : String(error);
  // nunjucks' own lineno/colno are 0-based; they are only the fallback.
  const fault = new RenderFault(message, at?.line ?? (lineno === null ? undefined : lineno + 1), at?.column ?? (colno === null ? undefined : colno + 1), {
    cause: error,
  });
  if (at !== undefined) fault.file = at.file;
  return fault;
}

/** `{% set ns.attr = value %}`: Jinja allows it on namespace objects; we allow it on any dict. */
function setAttr(obj: unknown, key: unknown, value: unknown): void {
  if (!isDict(obj)) throw new PythonError('TypeError', `cannot assign attributes on ${obj === undefined ? lastMissing ?? 'an undefined value' : `'${pyTypeName(obj)}'`}`);
  remember(obj);
  obj[String(key)] = value;
}

function mod(a: unknown, b: unknown): unknown {
  if (typeof a === 'string' || a instanceof njRuntime.SafeString) return percentFormat(String(a), b);
  const x = Number(a);
  const y = Number(b);
  if (y === 0) throw new PythonError('ZeroDivisionError', 'integer division or modulo by zero');
  return ((x % y) + y) % y; // Python's result takes the divisor's sign
}

function add(a: unknown, b: unknown): unknown {
  if (Array.isArray(a) && Array.isArray(b)) return [...a, ...b];
  return (a as number) + (b as number);
}

function mul(a: unknown, b: unknown): unknown {
  if (typeof a === 'string' && typeof b === 'number') return a.repeat(Math.max(b, 0));
  if (typeof b === 'string' && typeof a === 'number') return b.repeat(Math.max(a, 0));
  if (Array.isArray(a) && typeof b === 'number') return Array.from({ length: Math.max(b, 0) }, () => a).flat();
  return (a as number) * (b as number);
}

function compareOne(op: string, a: unknown, b: unknown): boolean {
  switch (op) {
    case '==': return pyEq(a, b);
    case '!=': return !pyEq(a, b);
    case '===': return a === b;
    case '!==': return a !== b;
    case '<': return (a as number) < (b as number);
    case '>': return (a as number) > (b as number);
    case '<=': return (a as number) <= (b as number);
    case '>=': return (a as number) >= (b as number);
    default: throw new PythonError('SyntaxError', `unknown comparison '${op}'`);
  }
}

/** `a < b < c` is `a < b and b < c` in Python; operands are evaluated once, left to right. */
function compare(operands: unknown[], ops: string[]): boolean {
  operands.forEach(used);
  return ops.every((op, i) => compareOne(op, operands[i], operands[i + 1]));
}

/**
 * nunjucks' runtime with our overrides. `r` is a scratch register for `and`/`or`, which must yield an
 * operand (Python's `x or 'default'`) while testing it with Python truthiness: `(truthy(r = a) ? b : r)`.
 * `at` is the SourcePosition of the expression being evaluated.
 */
export const SALT_RUNTIME: Record<string, unknown> = {
  ...njRuntime,
  memberLookup,
  attrLookup,
  sliceLookup,
  contextOrFrameLookup,
  suppressValue,
  guardOutput,
  callWrap,
  inOperator,
  handleError,
  setAttr,
  mod,
  add,
  mul,
  compare,
  truthy: (value: unknown) => pyTruthy(used(value)),
  iter: (value: unknown) => pyIter(used(value)),
  concat: (a: unknown, b: unknown) => pyStr(used(a)) + pyStr(used(b)),
  r: undefined,
  at: undefined,
};
