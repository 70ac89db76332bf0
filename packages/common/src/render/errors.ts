/**
 * How a failed render reaches the user: one TemplateError naming the file, the line and what to do.
 * nunjucks reports errors in several shapes (its TemplateError with a "(path) [Line, Column]" prefix, a
 * bare Error from a loader callback, our own RenderFault from the runtime); `toTemplateError` reads
 * them all.
 */
import { CodedError } from '../errors.js';
import type { NjTemplateErrorShape } from './nunjucks-internals.js';
import type { SourcePosition } from './runtime.js';

/** Which stage failed: the Jinja pass, or parsing its output as YAML or JSON. */
export type RenderPhase = 'jinja' | 'yaml' | 'json';

export interface TemplateErrorDetails {
  /** 1-based line, in the template for 'jinja' and in the rendered text for 'yaml'. */
  line?: number | undefined;
  column?: number | undefined;
  /** What to change, when we can tell ("indent the lines under 'key_accept:'"). */
  hint?: string | undefined;
  cause?: unknown;
}

/** A template failed to render (Jinja) or its output was not the YAML we expected. */
export class TemplateError extends CodedError {
  readonly file: string;
  readonly line: number | undefined;
  readonly column: number | undefined;
  readonly phase: RenderPhase;
  readonly reason: string;
  readonly hint: string | undefined;

  constructor(file: string, phase: RenderPhase, reason: string, details: TemplateErrorDetails = {}) {
    const where = details.line === undefined ? file : `${file}, line ${details.line}${phase === 'jinja' ? '' : ' of the rendered text'}`;
    const stage = phase === 'jinja' ? 'Jinja error' : phase === 'yaml' ? 'YAML error' : 'JSON error';
    const hint = details.hint === undefined ? '' : `. Hint: ${details.hint}`;
    super('ERR_TEMPLATE', `${stage} in ${where}: ${reason}${hint}`, details.cause === undefined ? undefined : { cause: details.cause });
    this.file = file;
    this.phase = phase;
    this.reason = reason;
    this.line = details.line;
    this.column = details.column;
    this.hint = details.hint;
  }
}

/**
 * Thrown inside a render by our runtime. nunjucks calls `Update(path)` on the way out of every template,
 * innermost first, so the first path recorded is the file whose line this is.
 */
export class RenderFault extends Error {
  file: string | undefined;
  constructor(readonly reason: string, readonly line: number | undefined, readonly column: number | undefined, options?: ErrorOptions) {
    super(reason, options);
    this.name = 'RenderFault';
  }
  Update(path: string | undefined): this {
    this.file ??= path || undefined;
    return this;
  }
}

/** The user-facing text of an error thrown by template code, a salt function or nunjucks itself. */
export function describeCause(error: unknown): string {
  if (error instanceof RenderFault) return error.reason;
  if (error instanceof TemplateError) return error.reason;
  if (error instanceof Error) {
    const nested = (error as NjTemplateErrorShape).cause;
    if (nested instanceof Error && error.name === 'Template render error') return describeCause(nested);
    const message = stripNunjucksPrefix(error.message);
    // A JS TypeError means a value had the wrong shape; say so in the template's terms.
    return error.name === 'Error' || error.name === 'Template render error' || error.name === 'PythonError' || message.startsWith(`${error.name}:`)
      ? message
      : `${error.name}: ${message}`;
  }
  return String(error);
}

/** nunjucks prefixes messages with "(path) [Line 3, Column 5]\n  "; we report those fields separately. */
function stripNunjucksPrefix(message: string): string {
  return message.replace(/^(?:\([^\n]*\)(?: \[Line \d+(?:, Column \d+)?\])?\n\s*)+/, '');
}

/**
 * Converts whatever a render threw into a TemplateError for `file`. `fallback` is the last position the
 * render reached, for errors nunjucks raises without one (a missing `{% include %}`).
 */
export function toTemplateError(error: unknown, file: string, fallback?: SourcePosition): TemplateError {
  if (error instanceof TemplateError) return error;
  if (error instanceof RenderFault) {
    return new TemplateError(error.file ?? file, 'jinja', describeCause(error.cause ?? error), { line: error.line, column: error.column, cause: error.cause ?? error });
  }
  const shaped = error as NjTemplateErrorShape | undefined;
  const line = typeof shaped?.lineno === 'number' && shaped.lineno > 0 ? shaped.lineno : undefined;
  const column = typeof shaped?.colno === 'number' && shaped.colno > 0 ? shaped.colno : undefined;
  const inner = error instanceof Error && /^\(([^)\n]*)\) \[Line/.exec(error.message);
  if (line === undefined && fallback !== undefined) {
    return new TemplateError(fallback.file, 'jinja', describeCause(error), { line: fallback.line, column: fallback.column, cause: error });
  }
  return new TemplateError(inner ? (inner[1] ?? file) : file, 'jinja', describeCause(error), { line, column, cause: error });
}
