/**
 * The release as an admin uses it: scripts/build-dist.mjs bundles the programs, deploy/install-*.sh
 * install them under a temp DESTDIR, and the installed programs (not the repo's) run a master and a
 * minion on loopback that get to test.ping through the installed saltmq-key and saltmq.
 */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readlink, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { after, test, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import yaml from 'js-yaml';
import { Proc, eventually } from './harness.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const run = promisify(execFile);
// the installed programs start with '#!/usr/bin/env node': make sure it finds this node
const ENV = { ...process.env, PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ''}`, NODE: process.execPath };

async function tempDir(t: TestContext, prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

let releaseDir: string | undefined;
let release: Promise<string> | undefined;
/** Bundles once per file into a temp folder, so a developer's own dist/ is left alone. */
function buildRelease(): Promise<string> {
  release ??= (async () => {
    releaseDir = await mkdtemp(join(tmpdir(), 'saltmq-release-'));
    await run(process.execPath, [join(ROOT, 'scripts/build-dist.mjs'), '--outdir', releaseDir], { cwd: ROOT });
    return releaseDir;
  })();
  return release;
}
after(() => (releaseDir ? rm(releaseDir, { recursive: true, force: true }) : undefined));

/** Runs an install script from the release with DESTDIR; resolves with its output, whatever the exit code. */
async function install(script: string, releaseDir: string, destdir: string, args: string[]): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await run('sh', [join(releaseDir, script), ...args], { env: { ...ENV, DESTDIR: destdir } });
    return { code: 0, out: stdout + stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: e.stdout + e.stderr };
  }
}

async function rewrite(file: string, changes: Record<string, unknown>): Promise<void> {
  const current = (yaml.load(await readFile(file, 'utf8')) ?? {}) as Record<string, unknown>;
  await writeFile(file, yaml.dump({ ...current, ...changes }));
}

function start(t: TestContext, bin: string, args: string[]): Proc {
  const proc = new Proc(spawn(bin, args, { env: ENV, stdio: ['ignore', 'pipe', 'pipe'] }));
  t.after(() => proc.stop('SIGKILL'));
  return proc;
}

test('the bundled programs need nothing beside them: each runs --help from an empty folder', { timeout: 60_000 }, async (t) => {
  const dir = await buildRelease();
  const empty = await tempDir(t, 'saltmq-empty-');
  for (const [file, tool, usage] of [
    ['saltmq-minion.mjs', [], 'Usage: saltmq-minion'],
    ['saltmq-master.mjs', [], 'Usage: saltmq-master'],
    ['saltmq-master.mjs', ['saltmq'], 'Usage: saltmq '],
    ['saltmq-master.mjs', ['saltmq-key'], 'Usage: saltmq-key'],
    ['saltmq-master.mjs', ['saltmq-run'], 'Usage: saltmq-run'],
  ] as const) {
    await writeFile(join(empty, file), await readFile(join(dir, file)));
    const { stdout } = await run(process.execPath, [join(empty, file), ...tool, '--help'], { cwd: empty });
    assert.ok(stdout.startsWith(usage), `${file} ${tool.join(' ')}: ${stdout.slice(0, 80)}`);
  }
});

test('an installed master and minion, staged under DESTDIR, get a minion accepted and answering test.ping', { timeout: 120_000 }, async (t) => {
  const dir = await buildRelease();
  const work = await tempDir(t, 'saltmq-install-');
  const dest = join(work, 'destdir');
  const master = await install('install-master.sh', dir, dest, []);
  assert.equal(master.code, 0, master.out);
  assert.match(master.out, /DESTDIR is set: nothing started/);
  const minion = await install('install-minion.sh', dir, dest, ['--master', '127.0.0.1', '--id', 'Minion-installed']);
  assert.equal(minion.code, 0, minion.out);
  for (const tool of ['saltmq-master', 'saltmq', 'saltmq-key', 'saltmq-run']) {
    assert.equal(await readlink(join(dest, 'usr/local/bin', tool)), '../lib/saltmq/saltmq-master.mjs');
  }
  assert.match(await readFile(join(dest, 'etc/saltmq/minion'), 'utf8'), /^master: '127\.0\.0\.1'\nid: 'Minion-installed'$/m);
  const unit = await readFile(join(dest, 'etc/systemd/system/saltmq-minion.service'), 'utf8');
  assert.ok(unit.includes(`ExecStart=${process.execPath} /usr/local/lib/saltmq/saltmq-minion.mjs -c /etc/saltmq`), unit);

  // the installed config, moved to loopback and a temp root so it runs here unprivileged
  const etc = join(dest, 'etc/saltmq');
  await rewrite(join(etc, 'master'), { interface: '127.0.0.1', port: 0, root_dir: join(work, 'master-root'), log_level: 'info' });
  const bin = (name: string) => join(dest, 'usr/local/bin', name);
  const masterProc = start(t, bin('saltmq-master'), ['-c', etc]);
  const port = Number((await masterProc.waitForLog((r) => r.msg === 'master ready')).port);
  await rewrite(join(etc, 'minion'), { master_port: port, root_dir: join(work, 'minion-root'), log_level: 'info', acceptance_wait_time: 1 });
  const minionProc = start(t, bin('saltmq-minion'), ['-c', etc]);
  await minionProc.waitForLog((r) => String(r.msg).startsWith('the master has not accepted this key yet'));

  const key = (args: string[]) => run(bin('saltmq-key'), ['-c', etc, ...args], { env: ENV });
  assert.match((await key(['-L'])).stdout, /Unaccepted Keys:\nMinion-installed\n/);
  await key(['-a', 'Minion-installed', '-y']);
  await minionProc.waitForLog((r) => r.msg === 'minion ready');
  const ping = await run(bin('saltmq'), ['-c', etc, 'Minion-installed', 'test.ping', '--out', 'json', '--static'], { env: ENV });
  assert.deepEqual(JSON.parse(ping.stdout), { 'Minion-installed': true });
});

test('install-minion.sh takes the id from hostname -f and honours --prefix in the unit', { timeout: 60_000 }, async (t) => {
  const dir = await buildRelease();
  const dest = await tempDir(t, 'saltmq-prefix-');
  const result = await install('install-minion.sh', dir, dest, ['--master', 'salt.example', '--prefix', '/opt/saltmq']);
  assert.equal(result.code, 0, result.out);
  const fqdn = (await run('sh', ['-c', 'hostname -f 2>/dev/null || hostname'])).stdout.trim();
  assert.match(await readFile(join(dest, 'etc/saltmq/minion'), 'utf8'), new RegExp(`^id: '${fqdn.replace(/\./g, '\\.')}'$`, 'm'));
  assert.ok(existsSync(join(dest, 'opt/saltmq/lib/saltmq/saltmq-minion.mjs')));
  const unit = await readFile(join(dest, 'etc/systemd/system/saltmq-minion.service'), 'utf8');
  assert.match(unit, /^ExecStart=\S+ \/opt\/saltmq\/lib\/saltmq\/saltmq-minion\.mjs -c \/etc\/saltmq$/m);
});

test('re-running an installer keeps the admin-edited config unless --force-config is given', { timeout: 60_000 }, async (t) => {
  const dir = await buildRelease();
  const dest = await tempDir(t, 'saltmq-upgrade-');
  assert.equal((await install('install-minion.sh', dir, dest, ['--master', 'a.example', '--id', 'web-1'])).code, 0);
  const again = await install('install-minion.sh', dir, dest, ['--master', 'b.example', '--id', 'web-1']);
  assert.match(again.out, /kept the existing/);
  assert.match(await readFile(join(dest, 'etc/saltmq/minion'), 'utf8'), /master: 'a\.example'/);
  assert.equal((await install('install-minion.sh', dir, dest, ['--master', 'b.example', '--id', 'web-1', '--force-config'])).code, 0);
  assert.match(await readFile(join(dest, 'etc/saltmq/minion'), 'utf8'), /master: 'b\.example'/);
});

test('the installers refuse an id that cannot be a topic level, a missing master and unknown options, with exit 2', { timeout: 60_000 }, async (t) => {
  const dir = await buildRelease();
  const dest = await tempDir(t, 'saltmq-refuse-');
  const badId = await install('install-minion.sh', dir, dest, ['--master', 'm', '--id', 'a/b']);
  assert.equal(badId.code, 2);
  assert.match(badId.out, /'a\/b' is not a valid minion id/);
  const noMaster = await install('install-minion.sh', dir, dest, ['--id', 'x']);
  assert.equal(noMaster.code, 2);
  assert.match(noMaster.out, /--master is required/);
  assert.equal((await install('install-master.sh', dir, dest, ['--bogus'])).code, 2);
  assert.equal((await install('install-master.sh', dir, dest, ['--prefix', 'relative/path'])).code, 2);
});

test('the systemd units restart always, start after the network is online and are filled in by the installers', async () => {
  for (const unit of ['saltmq-master.service', 'saltmq-minion.service']) {
    const text = await readFile(join(ROOT, 'deploy/systemd', unit), 'utf8');
    for (const line of ['Restart=always', 'After=network-online.target', 'Wants=network-online.target', 'WantedBy=multi-user.target']) {
      assert.match(text, new RegExp(`^${line}$`, 'm'), `${unit}: ${line}`);
    }
    assert.match(text, /^ExecStart=@NODE@ @LIBDIR@\/saltmq-(master|minion)\.mjs -c \/etc\/saltmq$/m);
  }
});

test('the deploy scripts are plain POSIX sh: sh -n passes, and shellcheck too where it is installed', async (t) => {
  const scripts = ['install-common.sh', 'install-master.sh', 'install-minion.sh'].map((f) => join(ROOT, 'deploy', f));
  for (const script of scripts) await run('sh', ['-n', script]);
  const shellcheck = await run('sh', ['-c', 'command -v shellcheck']).catch(() => undefined);
  if (!shellcheck) return t.skip('shellcheck is not installed (apt-get install shellcheck)');
  await run('shellcheck', ['-x', '-s', 'sh', ...scripts], { cwd: join(ROOT, 'deploy') });
});
