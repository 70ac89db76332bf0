import { resolve, sep } from 'node:path';
import { FileClientError } from './errors.js';

// These rules mirror the master's (packages/master/src/fileserver/paths.ts). The minion applies them
// again because the path also names a file in its own cache: a path the master would refuse must not
// reach the minion's disk either, whatever the master answers.

/** Longer paths are refused before any filesystem call (Linux's PATH_MAX). */
const MAX_PATH_CHARS = 4096;
const MAX_SALTENV_CHARS = 255;

/** A salt:// request: the path relative to file_roots and the saltenv it comes from. */
export interface SaltFileRef {
  rel: string;
  saltenv: string;
}

/** True for `salt://...` URLs, the only scheme the file client fetches. */
export const isSaltUrl = (url: string): boolean => url.startsWith('salt://');

/**
 * Salt's salt.utils.url.parse: the text after `salt://`, split on the first `?saltenv=` (which wins
 * over the saltenv argument, as in Salt); a legacy `?env=` is dropped. Without the scheme the text is
 * taken as a path relative to file_roots.
 */
export function parseSaltUrl(url: string): { path: string; saltenv: string | undefined } {
  if (!isSaltUrl(url)) return { path: url, saltenv: undefined };
  const resource = url.slice('salt://'.length);
  const legacy = resource.indexOf('?env=');
  if (legacy >= 0) return { path: resource.slice(0, legacy), saltenv: undefined };
  const query = resource.indexOf('?saltenv=');
  if (query >= 0) return { path: resource.slice(0, query), saltenv: resource.slice(query + '?saltenv='.length) };
  return { path: resource, saltenv: undefined };
}

/** Refuses empty, absolute, NUL, backslash and `..` paths (and `../` anywhere, as Salt does); normalises the rest. */
export function cleanRelPath(path: string): string {
  const shown = JSON.stringify(path.length > 200 ? `${path.slice(0, 200)}...` : path);
  const refuse = (why: string) => new FileClientError(`refused the path ${shown}: ${why}`);
  if (path.length > MAX_PATH_CHARS) throw refuse(`it is longer than ${MAX_PATH_CHARS} characters`);
  if (path.includes('\0')) throw refuse('it contains a NUL byte');
  if (path.includes('\\')) throw refuse('it contains a backslash');
  if (path.startsWith('/')) throw refuse('it is absolute; salt:// paths are relative to file_roots');
  const parts = path.split('/');
  if (path.includes('../') || parts.includes('..')) throw refuse("it contains '..'");
  const kept = parts.filter((part) => part !== '' && part !== '.');
  if (kept.length === 0) throw refuse('it names no file');
  return kept.join('/');
}

/** A saltenv names one cache directory level: no separators, not `.` or `..`. */
export function cleanSaltenv(saltenv: string): string {
  const bad = saltenv === '' || saltenv === '.' || saltenv === '..' || saltenv.length > MAX_SALTENV_CHARS || /[/\\\0]/.test(saltenv);
  if (bad) throw new FileClientError(`refused the saltenv ${JSON.stringify(saltenv.slice(0, 300))}: it must be a plain name`);
  return saltenv;
}

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
