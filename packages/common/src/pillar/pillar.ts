import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { messageOf } from '../errors.js';
import type { Logger } from '../log.js';
import type { Json } from '../protocol/messages.js';
import { SlsRenderer } from '../render/index.js';
import { matchTarget } from '../target/index.js';

export interface PillarResult {
  pillar: Record<string, unknown>;
  /** Salt puts render problems under `_errors` in the pillar itself */
  errors: string[];
}

function isDict(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Salt's default pillar merge (`smart` → recurse): dicts merge key by key, anything else is replaced. */
export function mergePillar(into: Record<string, unknown>, from: Record<string, unknown>): Record<string, unknown> {
  for (const [key, value] of Object.entries(from)) {
    const existing = into[key];
    into[key] = isDict(existing) && isDict(value) ? mergePillar({ ...existing }, value) : value;
  }
  return into;
}

/**
 * Pillar as Salt compiles it on the master (saltmq-call --local compiles it for itself): the pillar
 * top.sls of each environment says which pillar SLS files a minion gets (by glob, or `- match: grain|pcre|list|compound`), each is rendered as
 * jinja|yaml with that minion's grains, and the results merge. It is compiled for one minion at a
 * time and sent only to that minion.
 */
export class PillarCompiler {
  readonly #renderers = new Map<string, SlsRenderer>();

  constructor(
    readonly roots: Record<string, string[]>,
    readonly log: Logger,
  ) {}

  #renderer(env: string): SlsRenderer {
    let renderer = this.#renderers.get(env);
    if (!renderer) {
      renderer = new SlsRenderer({ searchPaths: this.roots[env] ?? [], checkStructure: false });
      this.#renderers.set(env, renderer);
    }
    return renderer;
  }

  async #find(env: string, relative: string): Promise<string | undefined> {
    for (const root of this.roots[env] ?? []) {
      const path = join(root, relative);
      if (await stat(path).then((s) => s.isFile(), () => false)) return path;
    }
    return undefined;
  }

  async compile(id: string, grains: Record<string, Json> | undefined, options: { saltenv?: string } = {}): Promise<PillarResult> {
    const errors: string[] = [];
    const pillar: Record<string, unknown> = {};
    const context = (env: string, sls: string) => ({ grains: grains ?? {}, pillar, opts: { id }, saltenv: env, sls, salt: {} });
    const envs = options.saltenv ? [options.saltenv] : Object.keys(this.roots);
    const assignments: { env: string; sls: string }[] = [];
    for (const env of envs) {
      const topPath = await this.#find(env, 'top.sls');
      if (!topPath) continue;
      let top: unknown;
      try {
        top = await this.#renderer(env).renderFile(topPath, context(env, 'top'));
      } catch (error) {
        errors.push(`Rendering the pillar top file ${topPath} failed: ${messageOf(error)}`);
        continue;
      }
      if (!isDict(top)) continue;
      for (const [topEnv, targets] of Object.entries(top)) {
        if (!isDict(targets)) continue;
        for (const [target, entries] of Object.entries(targets)) {
          if (!Array.isArray(entries)) continue;
          const matcher = entries.find((e) => isDict(e) && 'match' in e) as { match?: string } | undefined;
          let matched = false;
          try {
            matched = matchTarget(target, matcher?.match ?? 'glob', grains ? { id, grains } : { id });
          } catch (error) {
            errors.push(`The pillar top target '${target}' cannot be read: ${messageOf(error)}`);
          }
          if (!matched) continue;
          for (const entry of entries) if (typeof entry === 'string') assignments.push({ env: topEnv, sls: entry });
        }
      }
    }
    for (const { env, sls } of assignments) {
      const relative = sls.replace(/\./g, '/');
      const path = (await this.#find(env, `${relative}.sls`)) ?? (await this.#find(env, join(relative, 'init.sls')));
      if (!path) {
        errors.push(`Specified SLS '${sls}' in environment '${env}' is not available on the salt master`);
        continue;
      }
      try {
        const data = await this.#renderer(env).renderFile(path, context(env, sls));
        if (isDict(data)) mergePillar(pillar, data);
        else if (data !== null && data !== undefined) errors.push(`The pillar SLS '${sls}' does not render to a dictionary`);
      } catch (error) {
        errors.push(`Rendering SLS '${sls}' failed: ${messageOf(error)}`);
      }
    }
    if (errors.length) {
      pillar._errors = errors;
      this.log.warn('pillar errors', { id, errors });
    }
    return { pillar, errors };
  }
}
