import { SlsFile, SlsRenderer, type SlsLoader } from '@saltmq/common';
import type { FileClient } from '../fileclient/index.js';

/** Template-like files fetched before rendering, so `{% import %}` and `{% include %}` find them in the cache. */
const TEMPLATE_FILE = /\.(sls|jinja|j2|yaml|yml|json|txt|tmpl)$/;

/**
 * Where a state run gets its SLS files: from the master's file server through the minion's cache
 * (Salt's layout: <cachedir>/files/<saltenv>/...), rendered as jinja|yaml with the run's context.
 * `foo.bar` is `foo/bar.sls` or `foo/bar/init.sls`, as in Salt.
 */
export class SlsSource {
  readonly #renderers = new Map<string, SlsRenderer>();
  readonly #synced = new Set<string>();

  constructor(
    readonly client: FileClient,
    readonly cachedir: string,
  ) {}

  renderer(saltenv: string): SlsRenderer {
    let renderer = this.#renderers.get(saltenv);
    if (!renderer) {
      renderer = new SlsRenderer({ searchPaths: [`${this.cachedir}/files/${saltenv}`], recheckMs: 0 });
      this.#renderers.set(saltenv, renderer);
    }
    return renderer;
  }

  /** Brings the environment's templates into the cache once per run (unchanged files are not transferred). */
  async sync(saltenv: string): Promise<void> {
    if (this.#synced.has(saltenv)) return;
    this.#synced.add(saltenv);
    const files = await this.client.listMaster(saltenv, '');
    for (const file of files) if (TEMPLATE_FILE.test(file)) await this.client.cacheFile(`salt://${file}`, saltenv);
  }

  /** Fetches and renders a file by its salt path; undefined when the master has no such file. */
  async render(relative: string, saltenv: string, context: Record<string, unknown>): Promise<unknown> {
    const local = await this.client.cacheFile(`salt://${relative}`, saltenv);
    if (!local) return undefined;
    const data = await this.renderer(saltenv).renderFile(local, { ...context, saltenv, tplpath: local, tplfile: relative });
    return data ?? {};
  }

  loader(context: (sls: string, saltenv: string) => Record<string, unknown>): SlsLoader {
    return async (sls, saltenv) => {
      await this.sync(saltenv);
      const base = sls.replace(/\./g, '/');
      for (const candidate of [`${base}.sls`, `${base}/init.sls`]) {
        const data = await this.render(candidate, saltenv, { ...context(sls, saltenv), sls, tpldir: candidate.split('/').slice(0, -1).join('/') || '.' });
        if (data !== undefined) return new SlsFile(data, candidate);
      }
      return undefined;
    };
  }
}
