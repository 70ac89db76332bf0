import { isAbsolute, join } from 'node:path';

/**
 * Salt re-roots its path options under root_dir (master and minion alike): a relative path is
 * joined to it, and an absolute one that is not already inside it is moved inside it.
 */
export function underRoot(root: string, value: string): string {
  if (!isAbsolute(value)) return join(root, value);
  if (root === '/' || value === root || value.startsWith(root.endsWith('/') ? root : root + '/')) return value;
  return join(root, value);
}
