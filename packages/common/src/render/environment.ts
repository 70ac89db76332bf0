/**
 * The nunjucks Environment configured as Salt configures Jinja: no autoescaping, trim_blocks and
 * lstrip_blocks off (Salt's defaults), Salt's filters, tests and tags, Jinja's `namespace()` and `dict()`
 * globals, and a loader for `{% include %}`/`{% import %}`/`{% from %}` that reads from the search paths
 * (Salt's file_roots) and compiles with our compiler.
 */
import { readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import nunjucks from 'nunjucks';
import { compileTemplate, type CompiledTemplate } from './compiler.js';
import { RenderFault } from './errors.js';
import { SALT_EXTENSIONS } from './extensions.js';
import { JINJA_FILTERS } from './filters.js';
import { SALT_FILTERS, SALT_TESTS } from './salt-filters.js';
import { splitArgs, PythonError } from './python/values.js';

interface CachedSource {
  mtimeMs: number;
  size: number;
  compiled: CompiledTemplate;
}

const REFUSED = '\u0000refused:';

function inside(root: string, file: string): boolean {
  const rel = relative(root, file);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/**
 * Finds templates named by `{% include %}` and friends. Plain names ('macros/common.sls', or
 * 'salt://macros/common.sls') are looked up in each search path in order, like Salt's loader; names
 * starting with './' or '../' resolve against the including file and may not leave the search paths
 * (or, for './', that file's directory). '..' in a plain name is refused, as Salt refuses it.
 */
class SlsLoader extends nunjucks.Loader {
  readonly #roots: string[];
  readonly #extensions: unknown[];
  readonly #cache = new Map<string, CachedSource>();

  constructor(searchPaths: readonly string[], extensions: unknown[]) {
    super();
    this.#roots = searchPaths.map((p) => resolve(p));
    this.#extensions = extensions;
  }

  override isRelative(name: string): boolean {
    return name.startsWith('./') || name.startsWith('../');
  }

  override resolve(from: string, to: string): string {
    const target = resolve(dirname(from), to);
    const allowed = this.#roots.some((root) => inside(root, target)) || (to.startsWith('./') && inside(dirname(resolve(from)), target));
    return allowed ? target : REFUSED + to;
  }

  getSource(name: string): { src: { type: 'code'; obj: CompiledTemplate }; path: string; noCache: boolean } | null {
    if (name.startsWith(REFUSED)) {
      throw new PythonError('TemplateNotFound', `'${name.slice(REFUSED.length)}' resolves outside the template search paths`);
    }
    const file = this.#locate(name);
    if (file === undefined) return null;
    return { src: { type: 'code', obj: this.#compile(file) }, path: file, noCache: true };
  }

  #locate(name: string): string | undefined {
    const plain = name.replace(/^salt:\/\//, '');
    if (isAbsolute(plain) && this.#roots.some((root) => inside(root, plain))) return plain;
    if (isAbsolute(plain)) throw new PythonError('TemplateNotFound', `'${name}' is outside the template search paths`);
    if (plain.split(/[\\/]/).includes('..')) {
      throw new PythonError('TemplateNotFound', `'${name}': paths with '..' are refused, as Salt refuses them; name templates from a search path`);
    }
    for (const root of this.#roots) {
      const file = join(root, plain);
      if (inside(root, file) && statSync(file, { throwIfNoEntry: false })?.isFile()) return file;
    }
    return undefined;
  }

  #compile(file: string): CompiledTemplate {
    const stat = statSync(file);
    const cached = this.#cache.get(file);
    if (cached !== undefined && cached.mtimeMs === stat.mtimeMs && cached.size === stat.size) return cached.compiled;
    try {
      const compiled = compileTemplate(readFileSync(file, 'utf8'), file, this.#extensions);
      this.#cache.set(file, { mtimeMs: stat.mtimeMs, size: stat.size, compiled });
      return compiled;
    } catch (error) {
      // Attribute a syntax error to the imported file, not to the template that imported it.
      const e = error as { lineno?: number; colno?: number; message?: string };
      const fault = new RenderFault(String(e.message ?? error), e.lineno, e.colno, { cause: error });
      fault.Update(file);
      throw fault;
    }
  }
}

/** `dict(mapping, **kwargs)`: a new dict from an optional mapping plus keyword arguments. */
function makeDict(...args: unknown[]): Record<string, unknown> {
  const { positional, kwargs } = splitArgs(args);
  return { ...(positional[0] as object | undefined), ...kwargs };
}

const GLOBALS: Readonly<Record<string, (...args: unknown[]) => unknown>> = {
  // Salt's `{{ raise('message') }}` aborts the render with the template's own message.
  raise: (message) => {
    throw new PythonError('TemplateError', String(message));
  },
  dict: makeDict,
  odict: makeDict,
  // Jinja 2.10's namespace(): an object `{% set ns.x = ... %}` can change from inside a loop.
  namespace: makeDict,
};

/** A configured Environment plus its extension list, which our compiler needs to parse custom tags. */
export interface SaltEnvironment {
  env: nunjucks.Environment;
  extensions: unknown[];
}

/** The Environment an SlsRenderer renders with; one per set of search paths. */
export function createEnvironment(searchPaths: readonly string[]): SaltEnvironment {
  const extensions = Object.values(SALT_EXTENSIONS) as unknown[];
  const loader = new SlsLoader(searchPaths, extensions);
  // dev: true keeps the original error objects (with their line numbers) instead of re-wrapping them.
  const env = new nunjucks.Environment(loader as unknown as nunjucks.ILoader, { autoescape: false, dev: true, trimBlocks: false, lstripBlocks: false });
  for (const [name, ext] of Object.entries(SALT_EXTENSIONS)) env.addExtension(name, ext as unknown as nunjucks.Extension);
  for (const [name, filter] of Object.entries({ ...JINJA_FILTERS, ...SALT_FILTERS })) env.addFilter(name, filter as (...args: unknown[]) => unknown);
  env.addFilter('d', JINJA_FILTERS.default as (...args: unknown[]) => unknown);
  // addTest exists in nunjucks 3 but is missing from @types/nunjucks.
  const withTests = env as unknown as { addTest(name: string, test: (...args: unknown[]) => boolean): void };
  for (const [name, test] of Object.entries(SALT_TESTS)) withTests.addTest(name, test);
  for (const [name, fn] of Object.entries(GLOBALS)) env.addGlobal(name, fn);
  return { env, extensions };
}
