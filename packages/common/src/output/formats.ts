/**
 * Salt's small outputters: json (json_out.py), yaml (yaml_out.py), txt, raw, no_return and key. Each
 * returns what Salt's `output()` returns; `printout` in registry.ts does the final right-strip.
 */
import { pyJsonDumps } from '../py-json.js';
import { getColors } from './colors.js';
import type { ColorName } from './colors.js';
import { formatNested } from './nested.js';
import type { OutputOptions } from './options.js';
import { isDict, pyCompare, pyRepr, pySortedKeys, pySplitlines, pyStr, stripEsc } from './py-text.js';
import { pyYamlSafeDump } from './py-yaml.js';

/** `--out json`: `json.dumps(indent=4)`, keys unsorted; `--out-indent N` sets the indent, negative gives one line. */
export function formatJson(data: unknown, opts: OutputOptions = {}): string {
  const { indent } = opts;
  if (indent === undefined) return pyJsonDumps(data, { indent: 4 });
  if (indent === 'pretty') return pyJsonDumps(data, { indent: 4, sortKeys: true });
  if (indent === null || indent < 0) return pyJsonDumps(data);
  return pyJsonDumps(data, { indent });
}

/** `--out yaml`: `yaml.safe_dump(default_flow_style=False)`; `--out-indent` sets the indent, negative gives flow style. */
export function formatYaml(data: unknown, opts: OutputOptions = {}): string {
  const { indent } = opts;
  if (indent === undefined) return pyYamlSafeDump(data);
  // yaml_out compares output_indent with 0, which raises for 'pretty' or None; try_printout then uses nested.
  if (indent === null || indent === 'pretty') return formatNested(data, opts);
  return indent >= 0 ? pyYamlSafeDump(data, { indent }) : pyYamlSafeDump(data, { flowStyle: true, indent: 0 });
}

/** `--out txt`: `<minion>: <line>` for each line of a string, `<minion>: <str(value)>` otherwise, in return order. */
export function formatTxt(data: unknown): string {
  if (isDict(data)) {
    let out = '';
    for (const [key, value] of Object.entries(data)) {
      if (value === undefined) continue;
      if (typeof value === 'string') for (const line of pySplitlines(value)) out += `${key}: ${line}\n`;
      else out += `${key}: ${pyStr(value)}\n`;
    }
    return out;
  }
  // Not a dict: a string prints as itself, anything else through pprint (here: repr, unwrapped).
  return (typeof data === 'string' ? data : pyRepr(data)) + '\n';
}

/** `--out raw`: Python's `str()` of the whole return, e.g. `{'web1': True}`. */
export function formatRaw(data: unknown): string {
  return pyStr(data);
}

/** no_return.py's display: cyan `key:` lines and red text lines (split on `\n` only), each line ending in `\n`. */
export function noReturnText(data: unknown, opts: OutputOptions = {}): string {
  const c = getColors(opts.color ?? false);
  const display = (ret: unknown, indent: number, out: string): string => {
    if (typeof ret === 'string') {
      for (const line of ret.split('\n')) out += `${c.RED}${' '.repeat(indent)}${line}${c.ENDC}\n`;
    } else if (isDict(ret)) {
      for (const key of pySortedKeys(ret)) {
        out += `${c.CYAN}${' '.repeat(indent)}${key}${c.ENDC}:\n`;
        out = display(ret[key], indent + 4, out);
      }
    }
    return out;
  };
  return display(data, 0, '');
}

/** What `salt -v` prints for a minion that did not return: `web1:` then the message, four spaces in. */
export function formatNoReturn(id: string, message: string, opts: OutputOptions = {}): string {
  return noReturnText({ [id]: message }, opts);
}

/** salt-key's key directories, as the key outputter names them. */
export type KeyStatus = 'local' | 'minions' | 'minions_pre' | 'minions_rejected' | 'minions_denied';

const KEY_HEADERS: Record<KeyStatus, [header: ColorName, item: ColorName, title: string]> = {
  local: ['LIGHT_MAGENTA', 'MAGENTA', 'Local Keys:'],
  minions: ['LIGHT_GREEN', 'GREEN', 'Accepted Keys:'],
  minions_denied: ['LIGHT_MAGENTA', 'MAGENTA', 'Denied Keys:'],
  minions_pre: ['LIGHT_RED', 'RED', 'Unaccepted Keys:'],
  minions_rejected: ['LIGHT_BLUE', 'BLUE', 'Rejected Keys:'],
};

const isKeyStatus = (s: string): s is KeyStatus => Object.hasOwn(KEY_HEADERS, s);

/**
 * The key outputter (output/key.py): a header per status in sorted directory-name order (so Local,
 * Accepted, Denied, Unaccepted, Rejected), then the sorted ids, or `<id>:  <value>` for fingerprints.
 * Data it cannot print throws a TypeError, which `printout` turns into nested output as Salt does.
 */
export function formatKey(data: unknown, opts: OutputOptions = {}): string {
  if (!isDict(data)) throw new TypeError('the key outputter takes a mapping of key status to keys');
  const c = getColors(opts.color ?? false);
  const strip = opts.stripColors ?? true;
  let out = '';
  for (const status of pySortedKeys(data)) {
    if (!isKeyStatus(status)) throw new TypeError(`the key outputter has no header for '${status}'`);
    const [header, item, title] = KEY_HEADERS[status];
    out += `${c[header]}${title}${c.ENDC}\n`;
    const keys = data[status];
    const show = (key: string): string => (strip ? stripEsc(key) : key);
    if (Array.isArray(keys)) {
      for (const key of keys.map(pyStr).sort(pyCompare)) out += `${c[item]}${show(key)}${c.ENDC}\n`;
    } else if (isDict(keys)) {
      for (const key of pySortedKeys(keys)) out += `${c[item]}${show(key)}:  ${pyStr(keys[key])}${c.ENDC}\n`;
    }
  }
  return out;
}

/** `salt-key -L`: the given statuses' ids under their headers; an empty list still prints its header. */
export function formatKeyList(lists: Partial<Record<KeyStatus, readonly string[]>>, opts: OutputOptions = {}): string {
  return formatKey(lists, opts);
}

/** `salt-key -f` / `-p`: `<id>:  <fingerprint or key>` under each status header. */
export function formatKeyValues(map: Partial<Record<KeyStatus, Readonly<Record<string, string>>>>, opts: OutputOptions = {}): string {
  return formatKey(map, opts);
}
