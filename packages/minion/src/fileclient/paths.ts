import { resolve, sep } from 'node:path';
import { FileClientError } from './errors.js';

import { cleanRelPath as cleanShared, cleanSaltenv as cleanEnvShared, parseSaltUrl } from '@saltmq/common';

// The rules are the master's (they live in common). The minion applies them again because the path
// also names a file in its own cache: a path the master would refuse must not reach the minion's
// disk either, whatever the master answers.

/** A salt:// request: the path relative to file_roots and the saltenv it comes from. */
export interface SaltFileRef {
  rel: string;
  saltenv: string;
}

/** True for `salt://...` URLs, the only scheme the file client fetches. */
export const isSaltUrl = (url: string): boolean => url.startsWith('salt://');
export { parseSaltUrl };
const asClientError = (message: string) => new FileClientError(message);
export const cleanRelPath = (path: string): string => cleanShared(path, asClientError);
export const cleanSaltenv = (saltenv: string): string => cleanEnvShared(saltenv, asClientError);

/** Parses and checks a salt:// URL (or relative path) and its saltenv. */
export function saltFileRef(url: string, saltenv: string): SaltFileRef {
  if (typeof url !== 'string') throw new FileClientError(`a salt:// path must be a string, got ${typeof url}`);
  const parsed = parseSaltUrl(url);
  return { rel: cleanRelPath(parsed.path), saltenv: cleanSaltenv(parsed.saltenv ?? saltenv) };
}

/** Strictly inside, with the trailing separator: a root of `/c/files` must not admit `/c/filesx`. */
export function isInside(root: string, candidate: string): boolean {
  const prefix = root.endsWith(sep) ? root : root + sep;
  return candidate.startsWith(prefix) && candidate.length > prefix.length;
}

/** Salt's cache layout, `<cachedir>/files/<saltenv>/<path>`, checked to stay under `<cachedir>/files/<saltenv>/`. */
export function cachePath(cachedir: string, ref: SaltFileRef): { base: string; target: string } {
  const base = resolve(cachedir, 'files', ref.saltenv);
  const target = resolve(base, ref.rel);
  if (!isInside(base, target)) throw new FileClientError(`refused to cache salt://${ref.rel}: it would land outside ${base}`);
  return { base, target };
}
