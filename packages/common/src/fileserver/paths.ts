import { sep } from 'node:path';
import { FileServerError } from './errors.js';

import { cleanRelPath as cleanShared, cleanSaltenv as cleanEnvShared, parseSaltUrl, type SaltUrl } from '../protocol/salt-path.js';

// The path rules live in common: the minion applies the same ones to what it writes in its cache.
export { parseSaltUrl };
export type { SaltUrl };
const asFileServerError = (message: string) => new FileServerError(message);
export const cleanRelPath = (path: unknown): string => cleanShared(path, asFileServerError);
export const cleanSaltenv = (saltenv: unknown): string => cleanEnvShared(saltenv, asFileServerError);

/**
 * True when `candidate` lies strictly inside `root`. Both must already be realpaths. The trailing
 * separator matters: Salt's clean_path is a bare string prefix test, which admits `/srv/saltx/...` for
 * a root of `/srv/salt`.
 */
export function isInside(root: string, candidate: string): boolean {
  const prefix = root.endsWith(sep) ? root : root + sep;
  return candidate.startsWith(prefix) && candidate.length > prefix.length;
}
