/**
 * os.walk (top-down, not following links) with Salt's depth limit, and Salt's include/exclude
 * pattern check, for file.directory's recurse and clean.
 */
import { readdir } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { fnmatch } from '@saltmq/common';
import { compilePy, pySearch } from './py-regex.js';
import { statOrUndefined } from './util.js';

export type WalkEntry = [root: string, dirs: string[], files: string[]];

/** Salt's `_depth_limited_walk`: directories deeper than max_depth are listed but not entered. */
export async function walk(top: string, maxDepth?: number): Promise<WalkEntry[]> {
  const out: WalkEntry[] = [];
  const visit = async (root: string): Promise<void> => {
    const entries = await readdir(root, { withFileTypes: true }).catch(() => []);
    const dirs: string[] = [];
    const files: string[] = [];
    const real: string[] = [];
    for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
      // like os.walk, a symlink to a directory is listed with the directories but never entered
      const linkToDir = entry.isSymbolicLink() && ((await statOrUndefined(join(root, entry.name)))?.isDirectory() ?? false);
      if (entry.isDirectory()) real.push(entry.name);
      (entry.isDirectory() || linkToDir ? dirs : files).push(entry.name);
    }
    const depth = root.split(sep).length - top.split(sep).length;
    const deep = maxDepth !== undefined && depth >= maxDepth;
    out.push([root, deep ? [] : dirs, files]);
    if (!deep) for (const dir of real) await visit(join(root, dir));
  };
  await visit(top);
  return out;
}

/**
 * Salt's check_include_exclude with only exclude_pat: false when the relative path matches the
 * pattern (a glob, or a regular expression after `E@`), or any pattern of a list.
 */
export function notExcluded(relPath: string, excludePat: unknown): boolean {
  if (excludePat === undefined || excludePat === null || excludePat === '') return true;
  const patterns = Array.isArray(excludePat) ? excludePat.map(String) : [String(excludePat)];
  return !patterns.some((pat) => (pat.startsWith('E@') ? pySearch(compilePy(pat.slice(2), 0), relPath) : fnmatch(relPath, pat)));
}
