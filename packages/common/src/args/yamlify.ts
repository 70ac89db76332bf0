/**
 * Salt's `yamlify_arg` (salt/utils/args.py): a CLI argument is YAML-loaded when that yields a
 * number, a bool, None, or a list/dict written in flow style, and otherwise stays the string typed.
 */
import { loadSaltYaml } from './yaml11.js';

/** Salt's `yamlify_arg`: `'42'` → 42, `'True'` → true, `'[1,2]'` → [1, 2], `'a: b'` stays a string. */
export function yamlifyArg(arg: unknown): unknown {
  if (typeof arg !== 'string') return arg;
  const stripped = arg.trim();
  // YAML reads blank text and a bare '---' as None, and refuses '...': keep what was typed.
  if (stripped === '' || stripped === '---' || stripped === '...') return arg;
  // YAML 1.1 ignores '_' in numbers ('1_000' is 1000); Salt keeps such an argument as typed.
  if (arg.includes('_') && /^[0-9_]*$/.test(stripped)) return arg;
  // Tabs and line breaks would be normalised by the C loader rather than refused.
  if (/[\t\r\n]/.test(arg)) return arg;
  try {
    if (arg.includes('#')) {
      // '#' may start a YAML comment: load only when the result is not text, so nothing is cut off.
      const parsed = loadSaltYaml(arg);
      return typeof parsed === 'string' || parsed === null || parsed === undefined ? arg : keepDigits(parsed);
    }
    const value = arg === 'None' ? null : loadSaltYaml(arg);
    if (Array.isArray(value)) return arg.startsWith('[') ? keepDigits(value) : arg; // a list only in [brackets]
    if (typeof value === 'object' && value !== null) return arg.startsWith('{') ? keepDigits(value) : arg; // a dict only in {braces}
    if (value === null || value === undefined) {
      // '!' loads as None, and '#…' is all comment: neither is what the user meant.
      return arg === '!' || stripped.startsWith('#') ? arg : null;
    }
    // '|' and '!' load as ''.
    if (value === '' && (arg === '|' || arg === '!')) return arg;
    return keepDigits(value);
  } catch {
    return arg; // anything YAML refuses is a plain string
  }
}

/**
 * Python ints have no size limit and JavaScript numbers do: an int too large to be exact becomes its
 * decimal string. For a positional 20-digit int this is exactly what Salt's `condition_input` does,
 * since such an int looks like a jid and is published as a string.
 */
function keepDigits(value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (Array.isArray(value)) return value.map(keepDigits);
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) setOwn(out, key, keepDigits(item));
    return out;
  }
  return value;
}

/** Sets a key even when it is `__proto__`, which plain assignment would treat as the prototype. */
export function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}
