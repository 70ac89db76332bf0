import { readdir, stat } from 'node:fs/promises';
import { isAbsolute, join, sep } from 'node:path';
import { fnmatch, isGlob } from '@saltmq/common';

/** Resolves `salt://path?saltenv=env` to a local file, or undefined; supplied by the file server. */
export type SaltUrlResolver = (url: string) => Promise<string | undefined>;

/**
 * Salt passes each reactor SLS reference through `glob.glob`: absolute paths may hold globs
 * (`/srv/reactor/*.sls`), and `salt://` references come from the file roots. An empty result is
 * Salt's "File missing or not found".
 */
export async function resolveSlsRef(ref: string, resolveSaltUrl: SaltUrlResolver): Promise<string[]> {
  if (ref.startsWith('salt://')) {
    const path = await resolveSaltUrl(ref);
    return path ? [path] : [];
  }
  if (!isAbsolute(ref)) return [];
  if (!isGlob(ref)) return (await isFile(ref)) ? [ref] : [];
  return expandGlob(ref);
}

async function isFile(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isFile(),
    () => false,
  );
}

/** Expands a glob segment by segment (Node 20 has no fs.glob); results sorted, as Python's glob is not guaranteed to be but users expect. */
export async function expandGlob(pattern: string): Promise<string[]> {
  const parts = pattern.split(sep).filter((p) => p !== '');
  let bases: string[] = [sep];
  for (const part of parts) {
    const next: string[] = [];
    for (const base of bases) {
      if (!isGlob(part)) {
        next.push(join(base, part));
        continue;
      }
      const entries = await readdir(base).catch(() => [] as string[]);
      // as Python's glob, a wildcard does not match names starting with a dot
      for (const name of entries.sort()) if (!name.startsWith('.') && fnmatch(name, part)) next.push(join(base, name));
    }
    bases = next;
  }
  const files: string[] = [];
  for (const path of bases) if (await isFile(path)) files.push(path);
  return files;
}

/**
 * Resolving a reference touches the disk (stat, readdir); an event storm must not repeat that per
 * event, so answers are reused for a second, as the renderer reuses compiled files.
 */
export function cachedResolver(resolveSaltUrl: SaltUrlResolver, ttlMs = 1000): (ref: string) => Promise<string[]> {
  const cache = new Map<string, { at: number; paths: Promise<string[]> }>();
  return (ref) => {
    const hit = cache.get(ref);
    if (hit && Date.now() - hit.at < ttlMs) return hit.paths;
    if (cache.size > 10_000) cache.clear();
    const paths = resolveSlsRef(ref, resolveSaltUrl);
    cache.set(ref, { at: Date.now(), paths });
    return paths;
  };
}
