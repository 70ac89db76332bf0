import type { Stats } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../log.js';
import { FileServerError } from './errors.js';
import { cleanRelPath, cleanSaltenv, isInside, parseSaltUrl } from './paths.js';

/** Salt's wildcard environment: a root containing `__env__` serves any saltenv not listed by name. */
export const WILDCARD_ENV = '__env__';

/** A file found under a root: its realpath (no symlink left in it) and the stat taken at the check. */
export interface FoundFile {
  /** the normalised path relative to the root, as the minion asked for it */
  rel: string;
  saltenv: string;
  real: string;
  stat: Stats;
}

/** The request after parsing: `?saltenv=` in a salt:// URL wins over the saltenv argument, as in Salt. */
export function resolveRequest(pathOrUrl: unknown, saltenv: unknown): { rel: string; saltenv: string } {
  if (typeof pathOrUrl !== 'string') throw new FileServerError(`a file path must be a string, got ${typeof pathOrUrl}`);
  const url = parseSaltUrl(pathOrUrl);
  return { rel: cleanRelPath(url.path), saltenv: cleanSaltenv(url.saltenv ?? saltenv ?? 'base') };
}

const realpathOrUndefined = (path: string) => realpath(path).catch(() => undefined);

/** A root's own realpath changes only when an admin moves it: looked up at most once a second. */
const rootCache = new Map<string, { at: number; real: Promise<string | undefined> }>();
function realRootOf(root: string): Promise<string | undefined> {
  const hit = rootCache.get(root);
  if (hit && Date.now() - hit.at < 1000) return hit.real;
  const real = realpathOrUndefined(root);
  rootCache.set(root, { at: Date.now(), real });
  return real;
}

/**
 * Salt's `roots` backend over file_roots: several roots per saltenv, first match wins. Every answer is
 * checked against the realpath of its root, so neither a crafted path nor a symlink in the tree can
 * reach a file outside it.
 */
export class FileRoots {
  constructor(
    readonly fileRoots: Readonly<Record<string, readonly string[]>>,
    readonly log: Logger,
  ) {}

  /** Salt's fileserver envs: the configured names, sorted. */
  envs(): string[] {
    return Object.keys(this.fileRoots).sort();
  }

  /** The roots of a saltenv (an `__env__` root has the name substituted), or undefined when none is configured. */
  rootsOf(saltenv: string): readonly string[] | undefined {
    const named = Object.hasOwn(this.fileRoots, saltenv) ? this.fileRoots[saltenv] : undefined;
    if (named) return named;
    const wildcard = Object.hasOwn(this.fileRoots, WILDCARD_ENV) ? this.fileRoots[WILDCARD_ENV] : undefined;
    return wildcard?.map((root) => root.replaceAll(WILDCARD_ENV, saltenv));
  }

  /**
   * Finds a file: the first root where the path is a regular file inside that root. Directories are not
   * files. A match that escapes its root is skipped, as Salt skips it, and the next root is tried; when
   * no root serves the path the refusal is reported rather than a plain "missing".
   */
  async find(pathOrUrl: unknown, saltenv: unknown): Promise<FoundFile | undefined> {
    const request = resolveRequest(pathOrUrl, saltenv);
    const roots = this.rootsOf(request.saltenv);
    if (!roots) throw new FileServerError(`saltenv '${request.saltenv}' is not configured in file_roots`);
    let escaped = false;
    for (const root of roots) {
      const realRoot = await realRootOf(root);
      if (!realRoot) continue;
      const real = await realpathOrUndefined(join(realRoot, request.rel));
      if (!real) continue;
      if (!isInside(realRoot, real)) {
        escaped = true;
        this.log.warn('file server path escapes its root', { path: request.rel, saltenv: request.saltenv, root: realRoot, target: real });
        continue;
      }
      const found = await stat(real).catch(() => undefined);
      if (found?.isFile()) return { ...request, real, stat: found };
    }
    if (escaped) throw new FileServerError(`refused salt://${request.rel}: it resolves outside file_roots of saltenv '${request.saltenv}'`);
    return undefined;
  }

  /**
   * Salt's file_list (`kind: 'files'`) or dir_list (`'dirs'`): relative paths under every root of the
   * saltenv, deduplicated, sorted, then filtered by a plain string prefix as Salt's Fileserver does.
   * Symlinks are followed while they stay inside the root; anything that escapes it is left out.
   * An unknown saltenv lists nothing, as in Salt.
   */
  async list(saltenv: unknown, prefix: unknown, kind: 'files' | 'dirs'): Promise<string[]> {
    const env = cleanSaltenv(saltenv ?? 'base');
    if (prefix !== undefined && prefix !== null && typeof prefix !== 'string') throw new FileServerError('a prefix must be a string');
    const wanted = typeof prefix === 'string' ? prefix.replace(/^\/+|\/+$/g, '') : '';
    // walk only below the prefix's directory part; the string filter then handles a partial last name
    const start = wanted === '' ? '' : cleanRelPath(wanted).split('/').slice(0, -1).join('/');
    const out = new Set<string>();
    for (const root of this.rootsOf(env) ?? []) {
      const realRoot = await realRootOf(root);
      if (realRoot) await walk(realRoot, start, kind, out);
    }
    return [...out].filter((rel) => rel.startsWith(wanted)).sort();
  }
}

// Depth-first walk below `start`. Each directory carries the real paths of its ancestors: a symlink
// back up the tree ends there (a loop), while two names for one directory are both listed, as
// os.walk(followlinks=True) lists them for Salt. Salt's dir_list includes the root itself as '.'.
async function walk(realRoot: string, start: string, kind: 'files' | 'dirs', out: Set<string>): Promise<void> {
  const stack: { rel: string; ancestors: ReadonlySet<string> }[] = [{ rel: start, ancestors: new Set() }];
  if (kind === 'dirs' && start === '') out.add('.');
  while (stack.length > 0) {
    const { rel: relDir, ancestors } = stack.pop()!;
    const dir = await realpathOrUndefined(relDir === '' ? realRoot : join(realRoot, relDir));
    if (!dir || (dir !== realRoot && !isInside(realRoot, dir)) || ancestors.has(dir)) continue;
    const chain = new Set(ancestors).add(dir);
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      // a name the fetch side would refuse is not offered either
      if (entry.name.includes('\\')) continue;
      const rel = relDir === '' ? entry.name : `${relDir}/${entry.name}`;
      let isDir = entry.isDirectory();
      let isFile = entry.isFile();
      if (entry.isSymbolicLink()) {
        const target = await realpathOrUndefined(join(dir, entry.name));
        if (!target || !isInside(realRoot, target) || chain.has(target)) continue;
        const info = await stat(target).catch(() => undefined);
        isDir = info?.isDirectory() ?? false;
        isFile = info?.isFile() ?? false;
      }
      if (isDir) {
        if (kind === 'dirs') out.add(rel);
        stack.push({ rel, ancestors: chain });
      } else if (isFile && kind === 'files') {
        out.add(rel);
      }
    }
  }
}
