/**
 * The `file` state module (salt/states/file.py), by function name. file.line is not provided:
 * file.replace covers in-place edits.
 */
import type { StateFunction } from '@saltmq/common';
import type { StateDeps } from './deps.js';
import { makeAppend } from './file-append.js';
import { directory } from './file-directory.js';
import { makeManaged } from './file-managed.js';
import { makeReplace } from './file-replace.js';
import { absent, exists, missing, touch } from './file-simple.js';
import { symlink } from './file-symlink.js';

export function fileStates(deps: StateDeps): Record<string, StateFunction> {
  return {
    managed: makeManaged(deps),
    directory,
    absent,
    symlink,
    append: makeAppend(deps),
    replace: makeReplace(deps),
    touch,
    exists,
    missing,
  };
}
