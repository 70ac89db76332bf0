/**
 * The compose lab without a Docker engine (this machine has none). docker-compose.yml is checked by
 * `docker-compose config` where installed and by its shape here; the Dockerfile by what it copies;
 * and the lab itself is run the way the containers would run it: the image's programs (the bundles),
 * the compose files mounted where compose mounts them (a mount namespace each) and every minion
 * replica with its own /tmp and hostname (a UTS namespace), on loopback.
 */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { after, test, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { randomBytes } from 'node:crypto';
import yaml from 'js-yaml';
import { Proc, eventually } from './harness.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const run = promisify(execFile);
type Service = { container_name?: string; hostname?: string; ports?: unknown[]; volumes?: string[]; entrypoint?: string[]; command?: string[]; environment?: Record<string, string>; user?: string; build?: unknown };
const compose = yaml.load(await readFile(join(ROOT, 'docker-compose.yml'), 'utf8')) as { services: Record<string, Service> };
const services = compose.services;

/** A bind mount's host path (relative to the repo) and container path; named volumes are undefined. */
function bind(volume: string): { host: string; container: string } | undefined {
  const [host = '', container = ''] = volume.split(':');
  return host.startsWith('./') ? { host: join(ROOT, host), container } : undefined;
}

test('docker-compose config accepts docker-compose.yml', async (t) => {
  const tool = (await run('sh', ['-c', 'command -v docker-compose']).catch(() => undefined))?.stdout.trim();
  if (!tool) return t.skip('docker-compose is not installed (apt-get install docker-compose)');
  // `config` only parses and validates: it needs no engine
  const { stdout } = await run(tool, ['-f', join(ROOT, 'docker-compose.yml'), 'config'], { cwd: ROOT });
  const resolved = yaml.load(stdout) as { services: Record<string, Service> };
  assert.deepEqual(Object.keys(resolved.services).sort(), ['master', 'minion', 'web']);
});

test('the compose file has a master, a scalable minion and a web minion the reactor leaves pending', () => {
  assert.deepEqual(Object.keys(services).sort(), ['master', 'minion', 'web']);
  const minion = services.minion!;
  for (const fixed of ['container_name', 'hostname', 'ports'] as const) assert.equal(minion[fixed], undefined, `--scale needs no fixed ${fixed}`);
  assert.equal(minion.environment?.SALTMQ_ID, undefined, 'each replica names itself');
  assert.ok(!services.web!.environment?.SALTMQ_ID?.startsWith('Min'), 'web is not auto-accepted');
  for (const name of ['minion', 'web']) assert.equal(services[name]!.user, 'root', `${name} runs states as root`);
  assert.equal(services.master!.user, undefined, 'the master keeps the image user (node)');
});

test('every file the compose file mounts exists in the repo, and its scripts pass sh -n and shellcheck', async () => {
  for (const [name, service] of Object.entries(services)) {
    for (const volume of service.volumes ?? []) {
      const mount = bind(volume);
      if (!mount) continue;
      assert.ok(existsSync(mount.host), `${name}: ${mount.host} exists`);
      if (!mount.host.endsWith('.sh')) continue;
      await run('sh', ['-n', mount.host]);
      // shellcheck where installed (.ci/run installs it); sh -n alone where not
      await run('shellcheck', ['-s', 'sh', mount.host]).catch((error: NodeJS.ErrnoException & { stdout?: string }) => {
        if (error.code !== 'ENOENT') throw new Error(`shellcheck ${mount.host}:\n${error.stdout ?? error.message}`);
      });
    }
    const script = service.entrypoint?.[1];
    if (script) assert.ok(service.volumes?.some((v) => bind(v)?.container === script), `${name}: its entrypoint ${script} is mounted`);
  }
});

test('the master config mounted by compose finds its reactor files and state tree in the mounts', async () => {
  const mounts = (services.master!.volumes ?? []).map(bind).filter((m) => m !== undefined);
  const hostPath = (inContainer: string) => {
    const m = mounts.find((v) => inContainer === v.container || inContainer.startsWith(`${v.container}/`));
    return m && join(m.host, inContainer.slice(m.container.length));
  };
  const config = yaml.load(await readFile(hostPath('/etc/saltmq/master')!, 'utf8')) as { reactor: Record<string, string[]>[]; file_roots: { base: string[] } };
  const reactorFiles = config.reactor.flatMap((entry) => Object.values(entry).flat());
  assert.deepEqual(Object.keys(Object.assign({}, ...config.reactor) as object), ['salt/auth', 'salt/minion/Min*/start']);
  for (const file of [...reactorFiles, ...config.file_roots.base]) assert.ok(existsSync(hostPath(file) ?? '/nonexistent'), `${file} is mounted from the repo`);
});

test('the compose reactor and state tree are the seed, with each machine\'s own /tmp', async () => {
  for (const dir of ['reactor', 'salt']) {
    for (const file of await readdir(join(ROOT, 'lab/seed', dir))) {
      const seed = (await readFile(join(ROOT, 'lab/seed', dir, file), 'utf8')).replaceAll('@TMP@', '/tmp');
      assert.equal(await readFile(join(ROOT, 'examples/compose/srv', dir, file), 'utf8'), seed, `${dir}/${file}`);
    }
  }
});

test('the Dockerfile builds in one stage and runs the bundles in a slim one, copying only files that exist', async () => {
  const text = (await readFile(join(ROOT, 'Dockerfile'), 'utf8')).replace(/\\\n/g, ' ');
  const lines = text.split('\n').filter((l) => l.trim() && !l.trimStart().startsWith('#'));
  assert.deepEqual(lines.filter((l) => l.startsWith('FROM ')), ['FROM node:20-slim AS build', 'FROM node:20-slim']);
  const ignored = (await readFile(join(ROOT, '.dockerignore'), 'utf8')).split('\n').filter((l) => l && !l.startsWith('#'));
  for (const line of lines.filter((l) => l.startsWith('COPY '))) {
    const parts = line.split(/\s+/).slice(1);
    const from = parts[0]?.startsWith('--from=') ? parts.shift() : undefined;
    const sources = parts.slice(0, -1);
    if (from) {
      assert.equal(from, '--from=build');
      for (const src of sources) assert.match(src, /^\/out\/(saltmq-(master|minion)\.mjs|saltmq-licenses\.txt)$/, 'build-dist.mjs makes it');
      continue;
    }
    for (const src of sources) {
      assert.ok(existsSync(join(ROOT, src)), `${src} exists`);
      assert.ok(!ignored.some((p) => src.replace(/\/$/, '') === p), `${src} is not in .dockerignore`);
    }
  }
  assert.ok(lines.some((l) => l.includes('npm ci')) && lines.some((l) => l.includes('scripts/build-dist.mjs --outdir /out')));
  const runtime = lines.slice(lines.indexOf('FROM node:20-slim'));
  assert.ok(runtime.includes('USER node'), 'the runtime stage drops root');
  for (const service of Object.values(services)) {
    const program = service.command?.[0];
    if (program) assert.ok(runtime.some((l) => l.includes(program)), `${program} is linked in the image`);
  }
});

test('the minion entrypoint names each replica Minion-<hostname> and the web service by SALTMQ_ID', async (t) => {
  const dir = await mkdtemp(join('/var/tmp', 'saltmq-entry-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  // a stand-in for the minion: the entrypoint execs it last, so it reports what it was given
  await mkdir(join(dir, 'bin'));
  await writeFile(join(dir, 'bin/saltmq-minion'), '#!/bin/sh\necho "args: $*"\n', { mode: 0o755 });
  const entry = join(ROOT, 'examples/compose/minion-entrypoint.sh');
  const env = { ...process.env, PATH: `${join(dir, 'bin')}:${process.env.PATH ?? ''}`, SALTMQ_CONFIG_DIR: join(dir, 'etc') };
  const host = (await run('hostname')).stdout.trim();
  const replica = await run('sh', [entry], { env });
  assert.equal(replica.stdout, `args: -c ${join(dir, 'etc')}\n`);
  const config = yaml.load(await readFile(join(dir, 'etc/minion'), 'utf8')) as Record<string, unknown>;
  assert.deepEqual({ id: config.id, master: config.master }, { id: `Minion-${host}`, master: 'master' });
  await run('sh', [entry], { env: { ...env, SALTMQ_ID: 'web-1' } });
  assert.equal((yaml.load(await readFile(join(dir, 'etc/minion'), 'utf8')) as Record<string, unknown>).id, 'web-1');
});

let release: string | undefined;
after(() => (release ? rm(release, { recursive: true, force: true }) : undefined));

/** The image's /usr/local/bin: the bundles, linked by the names the Dockerfile gives them. */
async function imageBin(work: string): Promise<string> {
  release = await mkdtemp(join('/var/tmp', 'saltmq-release-'));
  await run(process.execPath, [join(ROOT, 'scripts/build-dist.mjs'), '--outdir', release]);
  const bin = join(work, 'bin');
  await mkdir(bin);
  for (const tool of ['saltmq-master', 'saltmq', 'saltmq-key', 'saltmq-run']) await symlink(join(release, 'saltmq-master.mjs'), join(bin, tool));
  await symlink(join(release, 'saltmq-minion.mjs'), join(bin, 'saltmq-minion'));
  return bin;
}

/** `unshare` runs a command in new namespaces as root; elsewhere this test has nothing to stand on. */
async function canUnshare(): Promise<boolean> {
  return run('unshare', ['--mount', '--uts', 'true']).then(() => true, () => false);
}

test('the compose lab runs as compose would run it: replicas are provisioned by the seed reactor, web-1 waits', { timeout: 120_000 }, async (t) => {
  if (!(await canUnshare())) return t.skip('unshare --mount --uts is not permitted here (needs root)');
  // not under /tmp: each "container" gets its own /tmp, which would hide this folder from it
  const work = await mkdtemp(join('/var/tmp', 'saltmq-compose-'));
  const procs: Proc[] = [];
  t.after(async () => {
    await Promise.all(procs.map((p) => p.stop('SIGKILL')));
    await rm(work, { recursive: true, force: true });
  });
  const bin = await imageBin(work);
  const env = { ...process.env, PATH: `${bin}:${dirname(process.execPath)}:${process.env.PATH ?? ''}` };
  const start = (args: string[], extra: Record<string, string> = {}) => {
    const proc = new Proc(spawn('unshare', args, { env: { ...env, ...extra }, stdio: ['ignore', 'pipe', 'pipe'] }));
    procs.push(proc);
    return proc;
  };

  // the master: compose's config file as it is, plus what Docker would provide (its own network and
  // disk) as a drop-in: loopback, a free port, a root of its own
  const etc = join(work, 'master/etc');
  await mkdir(join(etc, 'master.d'), { recursive: true });
  const mounts = (services.master!.volumes ?? []).map(bind).filter((m) => m !== undefined);
  await writeFile(join(etc, 'master'), await readFile(mounts.find((m) => m.container === '/etc/saltmq/master')!.host));
  await writeFile(join(etc, 'master.d/not-docker.conf'), yaml.dump({ interface: '127.0.0.1', port: 0, root_dir: join(work, 'master') }));
  const srv = mounts.filter((m) => m.container.startsWith('/srv/'));
  const mountSrv = ['mount -t tmpfs saltmq /srv', ...srv.map((m, i) => `mkdir -p ${m.container} && mount --bind "$${i + 3}" ${m.container}`)].join(' && ');
  const master = start(['--mount', 'sh', '-c', `${mountSrv} && exec saltmq-master -c "$1" -l "$2"`, 'sh', etc, 'info', ...srv.map((m) => m.host)]);
  const port = Number((await master.waitForLog((r) => r.msg === 'master ready')).port);

  // each "container" mounts its own /tmp, which hides a checkout that lives under /tmp: the
  // entrypoint is copied next to the work folder first
  const entrypoint = join(work, 'minion-entrypoint.sh');
  await writeFile(entrypoint, await readFile(join(ROOT, 'examples/compose/minion-entrypoint.sh')));
  // two replicas of `minion` and the `web` service, each with its own /tmp and hostname
  const hosts = [randomBytes(6).toString('hex'), randomBytes(6).toString('hex'), services.web!.hostname!];
  for (const host of hosts) {
    const conf = join(work, host, 'etc');
    await mkdir(join(conf, 'minion.d'), { recursive: true });
    await mkdir(join(work, host, 'tmp'));
    await writeFile(join(conf, 'minion.d/not-docker.conf'), yaml.dump({ master_port: port, root_dir: join(work, host), acceptance_wait_time: 1 }));
    const service = host === services.web!.hostname ? services.web! : services.minion!;
    // compose's service name `master` resolves through Docker's DNS; here the master is on loopback
    const environment = { ...service.environment, SALTMQ_MASTER: '127.0.0.1', SALTMQ_CONFIG_DIR: conf };
    start(['--mount', '--uts', 'sh', '-c', 'mount --bind "$1" /tmp && hostname "$2" && exec sh "$3"', 'sh', join(work, host, 'tmp'), host, entrypoint], environment);
  }
  for (const host of hosts.slice(0, 2)) {
    // the reactor publishes both jobs at once: either may finish first
    const tmp = (file: string) => readFile(join(work, host, 'tmp', file), 'utf8').catch(() => '');
    await eventually(async () => (await tmp('cpis')).includes('initsok'), 60_000, `Minion-${host} ran cmd.run`);
    await eventually(async () => /salt:\/\/example/.test(await tmp('example')), 60_000, `Minion-${host} ran state.sls test`);
  }
  const { stdout } = await run(join(bin, 'saltmq-key'), ['-c', etc, '-L'], { env });
  assert.equal(stdout, `Accepted Keys:\n${hosts.slice(0, 2).map((h) => `Minion-${h}`).sort().join('\n')}\nDenied Keys:\nUnaccepted Keys:\nweb-1\nRejected Keys:\n`);
  assert.deepEqual(await readdir(join(work, 'web-1', 'tmp')), [], 'web-1 was not provisioned');
});
