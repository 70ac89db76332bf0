/**
 * Salt's default `jinja|yaml` renderer, shared by the reactor (master) and state files (minion).
 * Templates compile once and are cached (by text, and by path with an mtime/size check for files), so a
 * render is one pass of precompiled code plus a YAML parse. Functions under `salt` may be async: the
 * render suspends and replays around them (salt-calls.ts).
 */
import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import nunjucks from 'nunjucks';
import { compileTemplate } from './compiler.js';
import { createEnvironment } from './environment.js';
import { TemplateError, toTemplateError } from './errors.js';
import { recordMutations } from './python/collections.js';
import { enterGuard, OutputGuard, parseGuardedYaml, resolvePlaceholders } from './guard.js';
import { enterRenderPass, lastPosition } from './runtime.js';
import { CallRecorder, saltTableOf } from './salt-calls.js';
import { checkSlsStructure, parseYaml } from './yaml.js';

/** Template variables: `tag`, `data`, `salt`, `opts`, `sls`, `grains`, `pillar`, `saltenv`, ... */
export interface RenderContext {
  [name: string]: unknown;
}

export interface SlsRendererOptions {
  /** Where `{% include %}`, `{% import %}` and `{% from %}` look, in order (Salt's file_roots). @default [] */
  searchPaths?: readonly string[];
  /** How long `renderFile` trusts its cached copy before it checks the file's mtime and size again. 0 checks every time. @default 1000 */
  recheckMs?: number;
  /** Refuse a top-level ID without a body, as Salt's verify_high does; turn off for pillar-like data. @default true */
  checkStructure?: boolean;
  /** Most render passes one render may take while it awaits async `salt` functions. @default 100 */
  maxPasses?: number;
  /**
   * Raise when an undefined value is printed, tested, iterated or compared (Jinja's StrictUndefined), as
   * Salt does unless its `allow_undefined` option is true. Off, an undefined value prints as ''.
   * @default false
   */
  strictUndefined?: boolean;
  /**
   * Keep values printed with `{{ }}` from changing the structure of the rendered YAML (guard.ts). On for
   * what the master renders from event data (reactor and orchestrate files); off for state and pillar
   * files, which render exactly as Salt's.
   * @default false
   */
  guardOutput?: boolean;
}

export const RENDER_DEFAULTS: Readonly<Required<SlsRendererOptions>> = Object.freeze({
  searchPaths: [],
  recheckMs: 1000,
  checkStructure: true,
  maxPasses: 100,
  strictUndefined: false,
  guardOutput: false,
});

type Stage = 'jinja' | 'yaml' | 'json';

interface Prepared {
  readonly stages: readonly Stage[];
  readonly template: nunjucks.Template | undefined;
  readonly body: string;
}

interface FileEntry {
  mtimeMs: number;
  size: number;
  checkedAt: number;
  prepared: Prepared | TemplateError;
}

const TEXT_CACHE_LIMIT = 256;
const PIPELINES = new Set(['jinja|yaml', 'yaml', 'jinja', 'json', 'jinja|json']);

/** Reads a `#!jinja|yaml` first line into stages; the line itself becomes blank so line numbers hold. */
function readShebang(text: string, file: string): { stages: Stage[]; body: string } {
  if (!text.startsWith('#!')) return { stages: ['jinja', 'yaml'], body: text };
  const end = text.indexOf('\n');
  const line = end < 0 ? text : text.slice(0, end);
  const pipeline = line.slice(2).split('|').map((part) => part.trim()).join('|');
  if (/^py(?:objects|dsl)?$/.test(pipeline)) {
    throw new TemplateError(file, 'jinja', `the Python renderer (#!${pipeline}) is not supported: saltmq runs no Python; write the file as jinja|yaml (what run() returned, as YAML)`, { line: 1 });
  }
  if (!PIPELINES.has(pipeline)) {
    throw new TemplateError(file, 'jinja', `renderer '${pipeline}' is not supported; use one of: ${[...PIPELINES].join(', ')}`, { line: 1 });
  }
  return { stages: pipeline.split('|') as Stage[], body: end < 0 ? '' : text.slice(end) };
}

/** Renders Salt SLS files and templates; one instance per set of search paths, shared across renders. */
export class SlsRenderer {
  readonly #options: Readonly<Required<SlsRendererOptions>>;
  readonly #env: nunjucks.Environment;
  readonly #extensions: unknown[];
  readonly #byText = new Map<string, Prepared>();
  readonly #byFile = new Map<string, FileEntry>();

  constructor(options: SlsRendererOptions = {}) {
    this.#options = Object.freeze({ ...RENDER_DEFAULTS, ...options });
    ({ env: this.#env, extensions: this.#extensions } = createEnvironment(this.#options.searchPaths));
  }

  /** The Jinja pass only: text in, text out (file.managed's `template: jinja`). */
  async renderTemplate(text: string, context: RenderContext, name = '<template>'): Promise<string> {
    const { text: out, guard } = await this.#jinja(this.#cached(text, name, false), context, name);
    return guard === undefined ? out : guard.replaceIn(out);
  }

  /** Jinja then YAML (or the pipeline a `#!` first line names); an empty render is null. */
  async renderSls(text: string, context: RenderContext, name: string): Promise<unknown> {
    return this.#run(this.#cached(text, name, true), context, name);
  }

  /** Same as renderSls for a file; recompiles only when the file's mtime or size changes. */
  async renderFile(path: string, context: RenderContext): Promise<unknown> {
    const file = resolve(path);
    const now = Date.now();
    let entry = this.#byFile.get(file);
    if (entry === undefined || now - entry.checkedAt >= this.#options.recheckMs) {
      const unreadable = (error: unknown): never => {
        throw new TemplateError(file, 'jinja', `cannot read the file: ${(error as Error).message}`, { cause: error });
      };
      const info = await stat(file).catch(unreadable);
      if (entry === undefined || entry.mtimeMs !== info.mtimeMs || entry.size !== info.size) {
        const text = await readFile(file, 'utf8').catch(unreadable);
        entry = { mtimeMs: info.mtimeMs, size: info.size, checkedAt: now, prepared: this.#prepareOrError(text, file) };
        this.#byFile.set(file, entry);
      } else {
        entry.checkedAt = now;
      }
    }
    if (entry.prepared instanceof TemplateError) throw entry.prepared;
    return this.#run(entry.prepared, context, file);
  }

  #prepareOrError(text: string, file: string): Prepared | TemplateError {
    try {
      return this.#prepare(text, file, true);
    } catch (error) {
      return toTemplateError(error, file);
    }
  }

  #cached(text: string, name: string, sls: boolean): Prepared {
    const key = `${sls ? 's' : 't'}${name}\u0000${text}`;
    let prepared = this.#byText.get(key);
    if (prepared === undefined) {
      prepared = this.#prepare(text, name, sls);
      if (this.#byText.size >= TEXT_CACHE_LIMIT) this.#byText.delete(this.#byText.keys().next().value as string);
      this.#byText.set(key, prepared);
    }
    return prepared;
  }

  #prepare(text: string, name: string, sls: boolean): Prepared {
    const { stages, body } = sls ? readShebang(text, name) : { stages: ['jinja'] as Stage[], body: text };
    if (!stages.includes('jinja')) return { stages, template: undefined, body };
    try {
      const compiled = compileTemplate(body, name, this.#extensions);
      const template = new nunjucks.Template({ type: 'code', obj: compiled } as unknown as string, this.#env, name, true);
      return { stages, template, body };
    } catch (error) {
      const converted = toTemplateError(error, name);
      // nunjucks gives no line for an unclosed block; like Jinja, point at the end of the template.
      if (converted.line !== undefined || !/end of file/.test(converted.reason)) throw converted;
      throw new TemplateError(name, 'jinja', `${converted.reason} (a block is not closed)`, { line: body.split('\n').length, cause: error });
    }
  }

  async #run(prepared: Prepared, context: RenderContext, file: string): Promise<unknown> {
    const { text, guard } = prepared.template === undefined ? { text: prepared.body, guard: undefined } : await this.#jinja(prepared, context, file);
    const last = prepared.stages[prepared.stages.length - 1];
    if (last === 'yaml') {
      const data = guard === undefined ? parseYaml(text, file) : parseGuardedYaml(text, file, guard);
      if (this.#options.checkStructure) checkSlsStructure(data, guard === undefined ? text : guard.replaceIn(text), file);
      return data;
    }
    if (last === 'json') {
      try {
        if (text.trim() === '') return null;
        const data = JSON.parse(text) as unknown;
        return guard === undefined ? data : resolvePlaceholders(data, guard);
      } catch (error) {
        const at = /position (\d+)/.exec((error as Error).message);
        const line = at === null ? undefined : text.slice(0, Number(at[1])).split('\n').length;
        throw new TemplateError(file, 'json', (error as Error).message, { line, cause: error });
      }
    }
    return guard === undefined ? text : guard.replaceIn(text);
  }

  /** A render pass's state: undefined mode, position and (for guarded renders) its own guard. */
  #enterPass(): { guard: OutputGuard | undefined; leave: () => void } {
    const guard = this.#options.guardOutput ? new OutputGuard() : undefined;
    const leavePass = enterRenderPass(this.#options.strictUndefined);
    const leaveGuard = enterGuard(guard);
    return {
      guard,
      leave: () => {
        leaveGuard();
        leavePass();
      },
    };
  }

  /** One render, in as many passes as its async salt calls need. */
  async #jinja(prepared: Prepared, context: RenderContext, file: string): Promise<{ text: string; guard: OutputGuard | undefined }> {
    const template = prepared.template as nunjucks.Template;
    const table = saltTableOf(context.salt);
    if (table === undefined) {
      const { guard, leave } = this.#enterPass();
      try {
        return { text: template.render(context), guard };
      } catch (error) {
        throw toTemplateError(error, file, lastPosition());
      } finally {
        leave();
      }
    }
    const recorder = new CallRecorder(table);
    for (let pass = 1; pass <= this.#options.maxPasses; pass++) {
      const salt = recorder.startPass();
      const stopRecording = recordMutations();
      const { guard, leave } = this.#enterPass();
      try {
        const text = template.render({ ...context, salt });
        stopRecording(false);
        return { text, guard };
      } catch (error) {
        const pending = recorder.takePending();
        stopRecording(pending !== undefined);
        if (pending === undefined) throw toTemplateError(error, file, lastPosition());
        await pending;
      } finally {
        leave();
      }
    }
    throw new TemplateError(file, 'jinja', `the template still waited on async salt functions after ${this.#options.maxPasses} render passes; call fewer of them or raise maxPasses`);
  }
}
