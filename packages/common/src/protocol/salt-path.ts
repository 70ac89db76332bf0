import { CodedError } from '../errors.js';

/** Longer paths are refused before any filesystem call (Linux's PATH_MAX). */
export const MAX_PATH_CHARS = 4096;
/** A saltenv becomes a directory name (in `__env__` roots and the minion's cache): one safe level. */
export const MAX_SALTENV_CHARS = 255;

/** A refused salt:// path or saltenv. Each side may pass its own error class instead. */
export class SaltPathError extends CodedError {
  constructor(message: string) {
    super('ERR_FILE_SERVER', message);
  }
}

type MakeError = (message: string) => Error;
const defaultError: MakeError = (message) => new SaltPathError(message);

/** A `salt://` URL split into its path and the `?saltenv=` it names, if any. */
export interface SaltUrl {
  path: string;
  saltenv: string | undefined;
}

/**
 * Salt's salt.utils.url.parse: everything after `salt://`, split on the first `?saltenv=` (which
 * wins over a saltenv argument); a legacy `?env=` is dropped, as Salt drops it. Without the scheme
 * the text is already a relative path. urlparse is not used on purpose: `?` and `&` are valid in
 * file names.
 */
export function parseSaltUrl(url: string): SaltUrl {
  if (!url.startsWith('salt://')) return { path: url, saltenv: undefined };
  const resource = url.slice('salt://'.length);
  const legacy = resource.indexOf('?env=');
  if (legacy >= 0) return { path: resource.slice(0, legacy), saltenv: undefined };
  const query = resource.indexOf('?saltenv=');
  if (query >= 0) return { path: resource.slice(0, query), saltenv: resource.slice(query + '?saltenv='.length) };
  return { path: resource, saltenv: undefined };
}

/**
 * Checks a path relative to a file root and returns it normalised ('a//./b' → 'a/b'). Refused:
 * empty, absolute, NUL (C APIs would cut the path there), backslashes, `..` as a component, and
 * `../` anywhere, which Salt's Fileserver.find_file refuses even inside a name such as `x../y`. The
 * master applies it to what it serves and the minion again to what it writes in its cache.
 */
export function cleanRelPath(path: unknown, makeError: MakeError = defaultError): string {
  if (typeof path !== 'string') throw makeError(`a file path must be a string, got ${typeof path}`);
  const shown = JSON.stringify(path.length > 200 ? `${path.slice(0, 200)}...` : path);
  const refuse = (why: string) => makeError(`refused the path ${shown}: ${why}`);
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

/** A saltenv is a name, not a path: it must not carry a separator or be `.`/`..`. */
export function cleanSaltenv(saltenv: unknown, makeError: MakeError = defaultError): string {
  if (typeof saltenv !== 'string') throw makeError(`a saltenv must be a string, got ${typeof saltenv}`);
  const bad = saltenv === '' || saltenv === '.' || saltenv === '..' || saltenv.length > MAX_SALTENV_CHARS || /[/\\\0]/.test(saltenv);
  if (bad) throw makeError(`refused the saltenv ${JSON.stringify(saltenv.slice(0, 300))}: it must be a plain name`);
  return saltenv;
}
