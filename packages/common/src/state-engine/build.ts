/**
 * Salt's `render_highstate`/`render_state`: load each SLS through a callback, follow `include:`,
 * and merge everything into one high data dict. `extend:` and `exclude:` are collected into
 * `__extend__`/`__exclude__` exactly as Salt leaves them (see `state.show_highstate`); compileHighData
 * applies them, so high data from any source gets the same treatment.
 */
import type { HighData } from './types.js';
import { messageOf } from '../errors.js';
import {
  cleanDuplicateExtends,
  handleExclude,
  handleExtend,
  handleIorder,
  handleStateDecls,
  mergeIncludedStates,
} from './decls.js';
import { isRecord, pyStr, truthy } from './py.js';

/**
 * Loads one SLS by dotted name (`foo.bar` → `foo/bar.sls` or `foo/bar/init.sls`, the loader decides)
 * and returns its rendered data (already through jinja|yaml), or `undefined` when there is no such SLS.
 * A file that renders to nothing must come back as `null` or `{}` (js-yaml gives `undefined` for an
 * empty document). Return an `SlsFile` to say which file was read. A throw is a render failure.
 */
export type SlsLoader = (sls: string, saltenv: string) => Promise<unknown | undefined>;

/**
 * Rendered data plus the file it came from. Only needed for relative includes: Salt resolves `.bar`
 * in `foo/init.sls` to `foo.bar`, but in `foo.sls` to `bar`.
 */
export class SlsFile {
  constructor(
    readonly data: unknown,
    readonly source: string,
  ) {}
}

export interface BuildOptions {
  /** Salt's `state_auto_order`: number states 10000, 10001, ... in render order. @default true */
  autoOrder?: boolean;
}

/** Builds the high data for `state.sls <mods>` in one saltenv; errors are Salt's strings. */
export async function buildHighState(
  mods: readonly string[],
  saltenv: string,
  load: SlsLoader,
  options: BuildOptions = {},
): Promise<{ high: HighData; errors: string[] }> {
  const builder = new Builder(load, options.autoOrder ?? true);
  const high: HighData = {};
  const allErrors: string[] = [];
  for (const sls of mods) {
    if (builder.rendered.has(`${saltenv}:${sls}`)) continue;
    const { state, errors } = await builder.renderState(sls, saltenv);
    if (Object.keys(state).length > 0) mergeIncludedStates(high, state, errors);
    // Salt rewords the not-found error for the requested SLS itself (not for its includes).
    for (const error of errors) {
      const missing = error.includes('is not available') && error.includes(`SLS ${sls} in saltenv`);
      allErrors.push(missing ? `No matching sls found for '${sls}' in env '${saltenv}'` : error);
    }
  }
  cleanDuplicateExtends(high);
  return { high, errors: allErrors };
}

class Builder {
  /** `saltenv:sls` of every file already rendered, so include cycles and repeats stop. */
  readonly rendered = new Set<string>();
  readonly #order = { next: 10000 };

  constructor(
    private readonly load: SlsLoader,
    private readonly autoOrder: boolean,
  ) {}

  async renderState(sls: string, saltenv: string): Promise<{ state: HighData; errors: string[] }> {
    const errors: string[] = [];
    let loaded: unknown;
    try {
      loaded = await this.load(sls, saltenv);
    } catch (error) {
      errors.push(`Rendering SLS '${saltenv}:${sls}' failed: ${messageOf(error)}`);
      this.rendered.add(`${saltenv}:${sls}`);
      return { state: {}, errors };
    }
    if (loaded === undefined) {
      errors.push(
        `Specified SLS ${sls} in saltenv ${saltenv} is not available on the salt master or through a configured fileserver`,
      );
      return { state: {}, errors };
    }
    this.rendered.add(`${saltenv}:${sls}`);
    const source = loaded instanceof SlsFile ? loaded.source : '';
    // Salt mutates what it renders; the caller's data must stay as it was.
    const data: unknown = structuredClone(loaded instanceof SlsFile ? loaded.data : loaded);
    if (!truthy(data)) return { state: {}, errors };
    if (!isRecord(data)) {
      errors.push(`SLS ${sls} does not render to a dictionary`);
      return { state: {}, errors };
    }
    const state: HighData = data;
    let include: unknown[] = [];
    if ('include' in state) {
      if (Array.isArray(state.include)) {
        include = state.include;
        delete state.include;
      } else {
        errors.push(`Include Declaration in SLS ${sls} is not formed as a list`);
      }
    }
    handleExtend(state, sls, saltenv, errors);
    handleExclude(state, sls, errors);
    handleStateDecls(state, sls, saltenv, errors);

    for (const entry of include) {
      // `- foo`, `- {<saltenv>: foo}` (Salt pops the dict's last item).
      let env = saltenv;
      let target: string;
      if (isRecord(entry)) {
        const pairs = Object.entries(entry);
        const last = pairs[pairs.length - 1];
        if (!last) continue;
        env = last[0];
        target = pyStr(last[1]);
      } else {
        target = pyStr(entry);
      }
      // `_xenv` means "whichever saltenv this run uses"; with one saltenv per build that is ours.
      if (env === '_xenv') env = saltenv;
      if (target.startsWith('.')) {
        const resolved = resolveRelative(target, sls, saltenv, source);
        if ('error' in resolved) {
          errors.push(resolved.error);
          continue;
        }
        target = resolved.sls;
      }
      if (this.rendered.has(`${env}:${target}`)) continue;
      const nested = await this.renderState(target, env);
      if (Object.keys(nested.state).length > 0) mergeIncludedStates(state, nested.state, errors);
      errors.push(...nested.errors);
    }
    if (this.autoOrder) handleIorder(state, this.#order);
    return { state, errors };
  }
}

/** `.bar` is a sibling, `..bar` a sibling of the parent package, counted from the including SLS. */
function resolveRelative(
  include: string,
  sls: string,
  saltenv: string,
  source: string,
): { sls: string } | { error: string } {
  const match = /^(\.+)(.*)$/s.exec(include);
  const levels = match?.[1]?.length ?? 0;
  const rest = match?.[2] ?? '';
  const comps = sls.split('.');
  if (source.endsWith('/init.sls')) comps.push('init');
  if (levels > comps.length) {
    // The trailing space is Salt's.
    return {
      error: `Attempted relative include of '${include}' within SLS '${saltenv}:${sls}' goes beyond top level package `,
    };
  }
  return { sls: [...comps.slice(0, comps.length - levels), rest].join('.') };
}
