/**
 * The YAML half of `jinja|yaml`, close to Salt's SaltYamlSafeLoader (PyYAML SafeLoader, YAML 1.1) where
 * it matters to SLS files, and an error that says how to fix the usual mistake: lost indentation.
 *
 * Schema choice: js-yaml's CORE schema (YAML 1.2) plus PyYAML's YAML 1.1 booleans, because Salt users
 * write `yes`/`no`/`on`/`off` and expect booleans. Nulls are `~`, `null` and empty values, as in both.
 * Timestamps are not constructed: Salt's loader keeps them as strings, and so do we (the CORE schema
 * has no timestamp type). Integers with leading zeros read as decimal (`0644` → 644), which is what
 * Salt's loader does by stripping the zeros. Duplicate keys are an error, as in Salt ("conflicting ID").
 */
import yaml from 'js-yaml';
import { TemplateError } from './errors.js';

const YAML11_BOOL = new yaml.Type('tag:yaml.org,2002:bool', {
  kind: 'scalar',
  resolve: (text: string | null) => text !== null && /^(?:true|True|TRUE|false|False|FALSE|yes|Yes|YES|no|No|NO|on|On|ON|off|Off|OFF)$/.test(text),
  construct: (text: string) => /^(?:true|yes|on)$/i.test(text),
  predicate: (value: unknown) => typeof value === 'boolean',
  represent: { lowercase: (value: object) => (value.valueOf() ? 'true' : 'false') },
  defaultStyle: 'lowercase',
});

// js-yaml's type objects are exported at runtime but missing from @types/js-yaml.
const TYPES = (yaml as unknown as { types: Record<'merge' | 'binary' | 'omap' | 'pairs' | 'set', yaml.Type> }).types;

/**
 * js-yaml replaces a type whose tag and kind match, so this swaps the YAML 1.2 bool for PyYAML's. Merge
 * keys (`<<: *defaults`, which Salt's loader flattens) and SafeLoader's !!binary, !!omap, !!pairs and
 * !!set come from js-yaml's default schema; its timestamp type is left out on purpose.
 */
export const SALT_YAML_SCHEMA = yaml.CORE_SCHEMA.extend({
  implicit: [YAML11_BOOL, TYPES.merge],
  explicit: [TYPES.binary, TYPES.omap, TYPES.pairs, TYPES.set],
});

interface YamlMark {
  line: number;
  column: number;
}

export interface ParseOptions {
  /** @default SALT_YAML_SCHEMA */
  schema?: yaml.Schema;
  /** How a line of the text is shown in an error (guarded text shows its printed values, not placeholders). */
  display?: (text: string) => string;
}

/** Parses rendered SLS text; an empty document is null. */
export function parseYaml(text: string, file: string, options: ParseOptions = {}): unknown {
  try {
    const data = yaml.load(text, { schema: options.schema ?? SALT_YAML_SCHEMA, filename: file });
    return data === undefined ? null : data;
  } catch (error) {
    if (!(error instanceof yaml.YAMLException)) throw error;
    const mark = (error as unknown as { mark?: YamlMark }).mark;
    const line = mark === undefined ? undefined : mark.line + 1;
    const lines = text.split('\n');
    const display = options.display ?? ((t: string) => t);
    const shown = line === undefined ? '' : ` at '${display(lines[line - 1] ?? '').trim()}'`;
    const hint = line === undefined ? undefined : flattenedHint(lines, line - 1);
    throw new TemplateError(file, 'yaml', `${display(error.reason)}${shown}`, { line, column: mark === undefined ? undefined : mark.column + 1, hint, cause: error });
  }
}

/**
 * Salt's verify_high refuses a top-level ID without a body. When the ID line is directly followed by a
 * line at column 0, the body was almost certainly meant to be indented under it (a copy that lost its
 * indentation); say so and point at the ID's line.
 */
export function checkSlsStructure(data: unknown, text: string, file: string): void {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return;
  for (const [id, body] of Object.entries(data)) {
    if (body !== null) continue;
    const lines = text.split('\n');
    const index = lines.findIndex((l) => keyOf(l) === id && indentOf(l) === 0);
    const hint = index < 0 ? undefined : flattenedHint(lines, nextContentLine(lines, index + 1));
    throw new TemplateError(file, 'yaml', `ID '${id}' has no body: an SLS ID must map to a dictionary of state functions`, {
      line: index < 0 ? undefined : index + 1,
      hint,
    });
  }
}

/** The "looks flattened" hint for line `at`, judged by the content line before it. */
function flattenedHint(lines: readonly string[], at: number): string | undefined {
  const line = lines[at];
  if (line === undefined) return undefined;
  const prevIndex = previousContentLine(lines, at - 1);
  const prev = lines[prevIndex];
  if (prev === undefined) return undefined;
  const key = keyOf(prev);
  const emptyValue = key !== undefined && /:\s*(?:#.*)?$/.test(prev);
  const startsBody = /^\s*-\s/.test(line) || /^\s*-$/.test(line) || keyOf(line) !== undefined;
  if (!emptyValue || !startsBody || indentOf(line) > indentOf(prev)) return undefined;
  return `the YAML structure looks flattened: indent the lines under '${key}:'`;
}

function keyOf(line: string): string | undefined {
  const m = /^\s*(?:-\s+)?(?:'([^']*)'|"([^"]*)"|([^\s#'"][^#]*?))\s*:(?:\s|$)/.exec(line);
  return m ? (m[1] ?? m[2] ?? m[3]) : undefined;
}

function indentOf(line: string): number {
  return line.length - line.trimStart().length;
}

function isContent(line: string | undefined): boolean {
  return line !== undefined && line.trim() !== '' && !line.trimStart().startsWith('#');
}

function previousContentLine(lines: readonly string[], from: number): number {
  let i = from;
  while (i >= 0 && !isContent(lines[i])) i--;
  return i;
}

function nextContentLine(lines: readonly string[], from: number): number {
  let i = from;
  while (i < lines.length && !isContent(lines[i])) i++;
  return i;
}

/** Deep copy with sorted keys: PyYAML and Python's json sort keys by default, js-yaml's flow writer does not. */
function sortKeysDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeysDeep);
  if (value === null || typeof value !== 'object' || Object.getPrototypeOf(value) !== Object.prototype) return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) out[key] = sortKeysDeep((value as Record<string, unknown>)[key]);
  return out;
}

/** Salt's `|yaml` filter: flow style on one line (`{a: 1, b: [x, y]}`), so it embeds in a YAML value. */
export function dumpYamlFlow(value: unknown, flowStyle = true): string {
  const text = yaml.dump(sortKeysDeep(value), { schema: SALT_YAML_SCHEMA, flowLevel: flowStyle ? 0 : -1, lineWidth: -1, skipInvalid: true, noCompatMode: true });
  return text.replace(/\n\.\.\.\n?$/, '').replace(/\n$/, '');
}

/** Salt's `load_yaml` filter and `{% import_yaml %}`-style loading of text that is not a template file. */
export function loadYamlText(text: string, file = '<load_yaml>'): unknown {
  return parseYaml(text, file);
}
