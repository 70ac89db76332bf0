import { readFile, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ensureDir, isJid, writeFileAtomic, type ReturnMessage } from '@saltmq/common';

type Ret = Extract<ReturnMessage, { kind: 'ret' }>;

/**
 * Returns the master has not yet confirmed, one file per jid under cachedir/returns. A return is
 * written here before it is sent and removed when the master acknowledges that it stored it, so a
 * job finished while the master was away is delivered when the minion reconnects.
 */
export class ReturnOutbox {
  private constructor(readonly dir: string) {}

  static async open(cachedir: string): Promise<ReturnOutbox> {
    const dir = join(cachedir, 'returns');
    await ensureDir(dir, 0o700);
    return new ReturnOutbox(dir);
  }

  async put(ret: Ret): Promise<void> {
    await writeFileAtomic(join(this.dir, `${ret.jid}.json`), JSON.stringify(ret), 0o600);
  }

  async remove(jid: string): Promise<void> {
    if (isJid(jid)) await rm(join(this.dir, `${jid}.json`), { force: true });
  }

  async all(): Promise<Ret[]> {
    const out: Ret[] = [];
    for (const name of (await readdir(this.dir)).sort()) {
      if (!/^\d{20}\.json$/.test(name)) continue;
      try {
        out.push(JSON.parse(await readFile(join(this.dir, name), 'utf8')) as Ret);
      } catch {
        // a damaged file is skipped; its temp-file-and-rename writer makes this rare
      }
    }
    return out;
  }
}
