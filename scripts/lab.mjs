#!/usr/bin/env node
// The saltmq lab: a master and four minions as local processes under lab/run, running the seed
// scenario (a reactor accepts Min* keys and provisions those minions). No Docker, no root.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { seedFiles } from '../lab/seed-files.mjs';
import { dirname, join, relative, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const LAB = join(ROOT, 'lab', 'run');
const BIN = (pkg, name) => join(ROOT, 'packages', pkg, 'dist', 'cli', `${name}.js`);
const MINIONS = ['Minion-1', 'Minion-2', 'Minion-3', 'web-1'];
const wantsAccept = (id) => id.startsWith('Min');
const children = [];
const started = Date.now();
const since = () => `+${((Date.now() - started) / 1000).toFixed(1).padStart(5)}s`;
const rel = (p) => relative(process.cwd(), p) || '.';

function spawnChild(name, bin, args, onLine) {
  const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  createInterface({ input: child.stdout }).on('line', (line) => onLine?.(line, 'out'));
  createInterface({ input: child.stderr }).on('line', (line) => onLine?.(line, 'err'));
  child.on('exit', (code, signal) => {
    if (!stopping && name !== 'events') console.log(`${since()}  ${name} exited (${code ?? signal})`);
  });
  return child;
}

async function writeConfig(dir, name, lines) {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, name), lines.join('\n') + '\n');
}

async function prepare() {
  await rm(LAB, { recursive: true, force: true });
  const master = join(LAB, 'master');
  const files = await seedFiles({ reactorTmp: `${join(LAB, 'minions')}/{{ data['id'] }}/tmp`, stateTmp: `${join(LAB, 'minions')}/{{ grains['id'] }}/tmp` });
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(master, path)), { recursive: true });
    await writeFile(join(master, path), text);
  }
  await writeConfig(join(master, 'etc'), 'master', [
    '# the seed scenario; paths moved under lab/run',
    'interface: 127.0.0.1',
    'port: 0',
    `root_dir: ${master}`,
    'log_level: info',
    'reactor:',
    "  - 'salt/auth':",
    `    - ${join(master, 'srv', 'reactor', 'Minion.sls')}`,
    "  - 'salt/minion/Min*/start':",
    `    - ${join(master, 'srv', 'reactor', 'auto.sls')}`,
  ]);
  return master;
}

let stopping = false;
async function stopAll(code = 0) {
  if (stopping) return;
  stopping = true;
  console.log('\nstopping the lab...');
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  await Promise.all(children.filter((c) => c.exitCode === null && c.signalCode === null).map((c) => once(c, 'exit')));
  console.log('all lab processes stopped.');
  process.exit(code);
}
process.on('SIGINT', () => void stopAll(0));
process.on('SIGTERM', () => void stopAll(0));

function keyState(master, id) {
  for (const [dir, state] of [['minions', 'accepted'], ['minions_pre', 'pending'], ['minions_rejected', 'rejected'], ['minions_denied', 'denied']]) {
    if (existsSync(join(master, 'etc', 'saltmq', 'pki', 'master', dir, id))) return state;
  }
  return 'none';
}

function provisioned(id) {
  const tmp = join(LAB, 'minions', id, 'tmp');
  const cpis = existsSync(join(tmp, 'cpis')) ? readFileSync(join(tmp, 'cpis'), 'utf8') : '';
  return existsSync(join(tmp, 'example')) && cpis.includes('initsok');
}

function compact(line) {
  const tab = line.indexOf('\t');
  if (tab < 0) return line;
  const tag = line.slice(0, tab);
  let data = line.slice(tab + 1);
  try {
    const parsed = JSON.parse(data);
    delete parsed._stamp;
    if (typeof parsed.pub === 'string') parsed.pub = '<public key>';
    data = JSON.stringify(parsed);
  } catch {
    // print as it came
  }
  const width = (process.stdout.columns || 120) - 12;
  const text = `${tag.padEnd(34)} ${data}`;
  return text.length > width ? text.slice(0, width - 1) + '…' : text;
}

async function main() {
  const master = await prepare();
  const configDir = join(master, 'etc');
  console.log(`saltmq lab in ${rel(LAB)}: one master, minions ${MINIONS.join(', ')}\n`);
  let ready;
  const port = new Promise((r) => (ready = r));
  spawnChild('master', BIN('master', 'master'), ['-c', configDir], (line) => {
    if (line.includes('"master ready"')) ready(JSON.parse(line).port);
  });
  const masterPort = await port;
  console.log(`${since()}  master ready on 127.0.0.1:${masterPort}; watching the event bus:\n`);
  spawnChild('events', BIN('master', 'run'), ['-c', configDir, 'state.event'], (line, stream) => {
    if (stream === 'out') console.log(`${since()}  ${compact(line)}`);
  });
  await new Promise((r) => setTimeout(r, 500));
  const bootedAt = new Map();
  const doneAt = new Map();
  for (const id of MINIONS) {
    const dir = join(LAB, 'minions', id);
    await mkdir(join(dir, 'tmp'), { recursive: true });
    await writeConfig(join(dir, 'etc'), 'minion', ['master: 127.0.0.1', `master_port: ${masterPort}`, `id: ${id}`, `root_dir: ${dir}`, 'log_level: warning', 'acceptance_wait_time: 2']);
    bootedAt.set(id, Date.now());
    spawnChild(id, BIN('minion', 'minion'), ['-c', join(dir, 'etc')]);
  }
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    for (const id of MINIONS) if (!doneAt.has(id) && provisioned(id)) doneAt.set(id, Date.now());
    if (MINIONS.filter(wantsAccept).every((id) => doneAt.has(id))) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  await new Promise((r) => setTimeout(r, 1000)); // let the last events print
  const rows = MINIONS.map((id) => [
    id,
    keyState(master, id),
    doneAt.has(id) ? 'yes' : 'no',
    doneAt.has(id) ? `${((doneAt.get(id) - bootedAt.get(id)) / 1000).toFixed(1)} s` : '-',
  ]);
  const table = [['minion', 'key', 'provisioned', 'first boot → provisioned'], ...rows];
  const widths = table[0].map((_, i) => Math.max(...table.map((r) => r[i].length)));
  console.log('\nSummary');
  for (const [i, row] of table.entries()) {
    console.log('  ' + row.map((cell, j) => cell.padEnd(widths[j])).join('   '));
    if (i === 0) console.log('  ' + widths.map((w) => '-'.repeat(w)).join('   '));
  }
  const c = `-c ${rel(configDir)}`;
  console.log(`
web-1 does not match the reactor rule (ids starting with Min) and waits for a human.
The lab keeps running. In another terminal, from ${rel(process.cwd()) === '.' ? 'this directory' : process.cwd()}:

  npx saltmq-key ${c} -L                          # keys: three accepted, web-1 pending
  npx saltmq ${c} '*' test.ping                    # every accepted minion answers
  npx saltmq-run ${c} state.event pretty=True      # watch the bus
  npx saltmq-key ${c} -a web-1 -y                 # accept web-1 by hand
  npx saltmq ${c} web-1 state.sls test             # ...and provision it (the reactor only does Min*)
  npx saltmq ${c} -L Minion-1,web-1 cmd.run 'cat ${rel(join(LAB, 'minions'))}/*/tmp/cpis'
  npx saltmq-call -c ${rel(join(LAB, 'minions', 'Minion-1', 'etc'))} test.ping     # salt-call on Minion-1, next to its agent
  npx saltmq-call -c ${rel(join(LAB, 'minions', 'Minion-1', 'etc'))} event.send lab/hello '{"from": "a script"}'

Press Ctrl-C to stop the lab (every process it started stops with it).`);
  if (!MINIONS.filter(wantsAccept).every((id) => doneAt.has(id))) {
    console.log('\nSome Min* minions were not provisioned within 60 s: see the events above and the logs under lab/run.');
  }
  if (process.env.SALTMQ_LAB_EXIT === '1') await stopAll(MINIONS.filter(wantsAccept).every((id) => doneAt.has(id)) ? 0 : 1);
}

main().catch(async (error) => {
  console.error(`lab failed: ${error.stack ?? error}`);
  await stopAll(1);
});
