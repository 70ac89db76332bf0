/**
 * Outputters by Salt's names, and `printout`, Salt's `try_printout`: run the chosen outputter, fall back
 * to nested and then raw if it cannot handle the data, and strip trailing whitespace. The CLI prints the
 * result followed by a newline, or nothing when it is empty (`displayText` gives exactly those bytes).
 */
import { CodedError } from '../errors.js';
import { formatJson, formatKey, formatRaw, formatTxt, formatYaml, noReturnText } from './formats.js';
import { formatHighstate } from './highstate.js';
import { formatNested } from './nested.js';
import type { OutputOptions } from './options.js';
import { pyRstrip } from './py-text.js';

/** An outputter turns one return (usually `{minion: data}`) into text, as Salt's `output(data)` does. */
export type Outputter = (data: unknown, opts: OutputOptions) => string;

/** Salt's outputter names that saltmq has; `text` is Salt's alias for `txt`, `quiet` prints nothing. */
export const OUTPUTTERS = Object.freeze({
  nested: formatNested,
  json: formatJson,
  yaml: formatYaml,
  txt: (data: unknown) => formatTxt(data),
  text: (data: unknown) => formatTxt(data),
  raw: (data: unknown) => formatRaw(data),
  highstate: formatHighstate,
  key: formatKey,
  no_return: noReturnText,
  quiet: () => '',
} satisfies Record<string, Outputter>);

export type OutputterName = keyof typeof OUTPUTTERS;

/** `--out` named an outputter saltmq does not have. */
export class UnknownOutputterError extends CodedError {
  constructor(readonly outputter: string) {
    super(
      'ERR_INVOCATION',
      `Invalid outputter '${outputter}' specified; available outputters: ${Object.keys(OUTPUTTERS).sort().join(', ')}`,
    );
  }
}

/** Whether `name` is one of the outputters in `OUTPUTTERS`. */
export function isOutputterName(name: string): name is OutputterName {
  return Object.hasOwn(OUTPUTTERS, name);
}

/** The outputter for a name; an empty or missing name means nested, Salt's default. */
export function getOutputter(name?: string | null): Outputter {
  const key = name === undefined || name === null || name === '' ? 'nested' : name;
  if (!isOutputterName(key)) throw new UnknownOutputterError(key);
  return OUTPUTTERS[key];
}

/**
 * Salt's `try_printout`: the outputter's text, right-stripped. An outputter that cannot take the data
 * (say `key` given a string) falls back to nested, and nested to raw, as in Salt.
 */
export function printout(name: string | null | undefined, data: unknown, opts: OutputOptions = {}): string {
  const outputter = getOutputter(name);
  for (const attempt of [outputter, formatNested]) {
    try {
      return pyRstrip(attempt(data, opts));
    } catch {
      // fall through to the next outputter, as try_printout does
    }
  }
  return pyRstrip(formatRaw(data));
}

/** The bytes `display_output` writes to stdout: the printout and a newline, or nothing for empty output. */
export function displayText(name: string | null | undefined, data: unknown, opts: OutputOptions = {}): string {
  const text = printout(name, data, opts);
  return text === '' ? '' : text + '\n';
}
