// The seed scenario's files (lab/seed), ready to write under a master's root: the reactor map's two
// files and the state tree, with each machine's /tmp (@TMP@) replaced. The lab and the tests share it,
// so there is one copy of the seed's files.
import { readFile, readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SEED = join(dirname(fileURLToPath(import.meta.url)), 'seed');

/**
 * `{ 'srv/reactor/Minion.sls': text, 'srv/reactor/auto.sls': ..., 'srv/salt/test.sls': ..., 'srv/salt/example': ... }`.
 * `reactorTmp` stands for /tmp in reactor files (rendered on the master, where `data['id']` is the
 * minion), `stateTmp` in state files (rendered on the minion, where `grains['id']` is).
 */
export async function seedFiles({ reactorTmp, stateTmp }) {
  const files = {};
  for (const [dir, tmp] of [['reactor', reactorTmp], ['salt', stateTmp]]) {
    for (const name of (await readdir(join(SEED, dir))).sort()) {
      files[`srv/${dir}/${name}`] = (await readFile(join(SEED, dir, name), 'utf8')).replaceAll('@TMP@', tmp);
    }
  }
  return files;
}
