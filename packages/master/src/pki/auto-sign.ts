import { readFile, stat } from 'node:fs/promises';
import { exprMatch, type Logger } from '@saltmq/common';

/**
 * Salt's autosign_file and autoreject_file: one pattern a line (`#` comments), each matched with
 * expr_match. A file anyone else may write is ignored with a warning, since it would let them admit
 * any minion; group-writable is allowed only with permissive_pki_access. Re-read when it changes.
 */
export class PatternFile {
  #patterns: string[] = [];
  #mtimeMs = -1;

  constructor(
    readonly path: string | undefined,
    readonly permissive: boolean,
    readonly log: Logger,
  ) {}

  async matches(id: string): Promise<boolean> {
    if (!this.path) return false;
    await this.#refresh(this.path);
    return this.#patterns.some((pattern) => exprMatch(id, pattern));
  }

  async #refresh(path: string): Promise<void> {
    let info;
    try {
      info = await stat(path);
    } catch {
      this.#patterns = [];
      this.#mtimeMs = -1;
      return;
    }
    if (info.mtimeMs === this.#mtimeMs) return;
    this.#mtimeMs = info.mtimeMs;
    const worldWritable = (info.mode & 0o002) !== 0;
    const groupWritable = (info.mode & 0o020) !== 0;
    if (worldWritable || (groupWritable && !this.permissive)) {
      this.log.warn('pattern file ignored: it is writable by others', { file: path, mode: (info.mode & 0o777).toString(8) });
      this.#patterns = [];
      return;
    }
    const text = await readFile(path, 'utf8');
    this.#patterns = text
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('#'));
  }
}
