/**
 * Python's two string-formatting languages: `'{0} {name}'.format(...)` and `'%s-%d' % (a, b)`.
 * Salt templates use both to build ids, commands and log lines, so the common specs behave as in
 * Python (`{:>8}`, `{:02d}`, `{:.2f}`, `%5s`, `%-3d`, `%(name)s`, `!r`); rarer ones raise a ValueError.
 */
import { PythonError, isDict, itemOf, pyRepr, pyStr, type Dict } from './values.js';

const SPEC = /^(?:(.)?([<>=^]))?([-+ ])?(#)?(0)?(\d+)?([,_])?(?:\.(\d+))?([bcdeEfFgGnosxX%])?$/s;

/** Python's format-spec mini-language, applied to one value. */
export function formatSpec(value: unknown, spec: string): string {
  if (spec === '') return pyStr(value);
  const m = SPEC.exec(spec);
  if (!m) throw new PythonError('ValueError', `Invalid format specifier '${spec}'`);
  const [, fillChar, alignChar, sign, alt, zero, width, group, precision, type] = m;
  const numeric = typeof value === 'number' || typeof value === 'boolean';
  let body: string;
  let negative = false;
  if (type !== undefined && type !== 's' && !numeric) {
    throw new PythonError('ValueError', `Unknown format code '${type}' for object of type '${typeof value === 'string' ? 'str' : 'object'}'`);
  }
  if (numeric) {
    const n = Number(value);
    negative = n < 0 || Object.is(n, -0);
    body = formatNumber(Math.abs(n), type ?? (precision !== undefined ? 'g' : ''), precision, alt !== undefined);
    if (group !== undefined) body = groupDigits(body, group);
  } else {
    body = pyStr(value);
    if (precision !== undefined) body = body.slice(0, Number(precision));
  }
  const signText = negative ? '-' : sign === '+' ? '+' : sign === ' ' ? ' ' : '';
  const fill = fillChar ?? (zero !== undefined && alignChar === undefined ? '0' : ' ');
  const align = alignChar ?? (zero !== undefined && numeric ? '=' : numeric ? '>' : '<');
  return pad(signText, body, Number(width ?? 0), fill, align);
}

function formatNumber(n: number, type: string, precision: string | undefined, alt: boolean): string {
  const p = precision === undefined ? 6 : Number(precision);
  switch (type) {
    case 'd': case 'n': return Math.trunc(n).toString();
    case 'b': return (alt ? '0b' : '') + Math.trunc(n).toString(2);
    case 'o': return (alt ? '0o' : '') + Math.trunc(n).toString(8);
    case 'x': return (alt ? '0x' : '') + Math.trunc(n).toString(16);
    case 'X': return (alt ? '0X' : '') + Math.trunc(n).toString(16).toUpperCase();
    case 'c': return String.fromCodePoint(Math.trunc(n));
    case 'f': case 'F': return n.toFixed(p);
    case 'e': case 'E': return pyExponent(n.toExponential(p), type === 'E');
    case '%': return (n * 100).toFixed(p) + '%';
    case 'g': case 'G': {
      const text = n.toPrecision(Math.max(p, 1));
      const trimmed = text.includes('e') ? pyExponent(text.replace(/\.?0+e/, 'e'), type === 'G') : text.includes('.') ? text.replace(/\.?0+$/, '') : text;
      return trimmed;
    }
    default: return pyStr(n);
  }
}

/** JavaScript writes `1e+6`; Python writes `1e+06`. */
function pyExponent(text: string, upper: boolean): string {
  const fixed = text.replace(/e([+-])(\d)$/, 'e$10$2');
  return upper ? fixed.toUpperCase() : fixed;
}

function groupDigits(text: string, sep: string): string {
  const [int = '', frac] = text.split('.');
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, sep);
  return frac === undefined ? grouped : `${grouped}.${frac}`;
}

function pad(sign: string, body: string, width: number, fill: string, align: string): string {
  const room = width - sign.length - body.length;
  if (room <= 0) return sign + body;
  const filler = (count: number) => fill.repeat(count);
  if (align === '<') return sign + body + filler(room);
  if (align === '^') return filler(Math.floor(room / 2)) + sign + body + filler(room - Math.floor(room / 2));
  if (align === '=') return sign + filler(room) + body;
  return filler(room) + sign + body;
}

/** `str.format(*args, **kwargs)`: `{}`, `{0}`, `{name}`, `{0[key]}`, `{0.attr}`, `!r`/`!s`, `:spec`, `{{`/`}}`. */
export function strFormat(template: string, args: readonly unknown[], kwargs: Dict): string {
  let auto = 0;
  return template.replace(/\{\{|\}\}|\{([^{}]*)\}/g, (whole, field: string | undefined) => {
    if (whole === '{{') return '{';
    if (whole === '}}') return '}';
    const m = /^([^.[!:]*)((?:\.[^.[!:]+|\[[^\]]*\])*)(?:!([rsa]))?(?::(.*))?$/s.exec(field ?? '');
    if (!m) throw new PythonError('ValueError', `bad format field '{${field}}'`);
    const [, name = '', path = '', conversion, spec = ''] = m;
    let value: unknown;
    if (name === '') value = args[auto++];
    else if (/^\d+$/.test(name)) value = args[Number(name)];
    else value = itemOf(kwargs, name);
    if (value === undefined && !(name !== '' && !/^\d+$/.test(name) && name in kwargs)) {
      if (name === '' || /^\d+$/.test(name)) throw new PythonError('IndexError', `Replacement index ${name || auto - 1} out of range for positional args tuple`);
      throw new PythonError('KeyError', `'${name}'`);
    }
    for (const step of path.match(/\.[^.[]+|\[[^\]]*\]/g) ?? []) {
      const key = step.startsWith('.') ? step.slice(1) : step.slice(1, -1);
      value = itemOf(value, key);
    }
    if (conversion === 'r' || conversion === 'a') value = pyRepr(value);
    else if (conversion === 's') value = pyStr(value);
    return formatSpec(value, spec);
  });
}

const PERCENT = /%(?:\(([^)]*)\))?([-+ 0#]*)(\d+|\*)?(?:\.(\d+|\*))?([diouxXeEfFgGcrsa%])/g;

/** `'%s-%d' % (a, b)`, `'%s' % x` and `'%(name)s' % {...}`; a list on the right is a tuple when its length fits. */
export function percentFormat(template: string, right: unknown): string {
  const specs = [...template.matchAll(PERCENT)];
  const consuming = specs.filter((m) => m[5] !== '%' && m[1] === undefined).length;
  const named = specs.some((m) => m[1] !== undefined);
  const args = Array.isArray(right) && (right.length === consuming || consuming !== 1) ? right : [right];
  let next = 0;
  const take = (): unknown => {
    if (next >= args.length) throw new PythonError('TypeError', 'not enough arguments for format string');
    return args[next++];
  };
  const out = template.replace(PERCENT, (_all, key: string | undefined, flags: string, width: string | undefined, precision: string | undefined, type: string) => {
    if (type === '%') return '%';
    const w = width === '*' ? Number(take()) : Number(width ?? 0);
    const p = precision === '*' ? String(take()) : precision;
    let value: unknown;
    if (key !== undefined) {
      if (!isDict(right)) throw new PythonError('TypeError', 'format requires a mapping');
      value = itemOf(right, key);
    } else value = take();
    return percentOne(value, flags, w, p, type);
  });
  if (!named && next < args.length) throw new PythonError('TypeError', 'not all arguments converted during string formatting');
  return out;
}

function percentOne(value: unknown, flags: string, width: number, precision: string | undefined, type: string): string {
  const align = flags.includes('-') ? '<' : flags.includes('0') && !'sra'.includes(type) ? '=' : '>';
  const fill = align === '=' ? '0' : ' ';
  const sign = flags.includes('+') ? '+' : flags.includes(' ') ? ' ' : '';
  if (type === 's' || type === 'r' || type === 'a') {
    let text = type === 's' ? pyStr(value) : pyRepr(value);
    if (precision !== undefined) text = text.slice(0, Number(precision));
    return pad('', text, width, ' ', align === '=' ? '>' : align);
  }
  if (type === 'c') return pad('', typeof value === 'string' ? value : String.fromCodePoint(Number(value)), width, ' ', align);
  const n = typeof value === 'string' ? Number.NaN : Number(value);
  if (Number.isNaN(n)) throw new PythonError('TypeError', `%${type} format: a number is required, not ${typeof value === 'string' ? 'str' : pyRepr(value)}`);
  const spec = type === 'i' || type === 'u' ? 'd' : type;
  const body = formatNumber(Math.abs(n), spec, precision, flags.includes('#'));
  return pad(n < 0 ? '-' : sign, body, width, fill, align);
}
