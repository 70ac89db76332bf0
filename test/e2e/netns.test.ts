/**
 * A master and three minions on separate network hosts: one network namespace each, joined by veth
 * pairs to a bridge in a fifth namespace (the switch), with link-local addresses only. Nothing is
 * added to the machine's own namespace, every name carries this run's pid, and t.after deletes it all.
 * The master runs the seed scenario (lab/seed), as the lab and the compose lab do.
 */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { test, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import yaml from 'js-yaml';
import { BIN, Proc, eventually } from './harness.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const run = promisify(execFile);
const ip = (...args: string[]) => run('ip', args);
const PREFIX = 'saltmq-t';
const MASTER_ADDR = '169.254.0.1';
const MINIONS = [
  { id: 'Minion-n1', addr: '169.254.0.11' },
  { id: 'Minion-n2', addr: '169.254.0.12' },
  { id: 'Minion-n3', addr: '169.254.0.13' },
] as const;

/** Namespaces left by a run whose process died before its t.after (SIGKILL): their pid is gone. */
async function sweepStale(): Promise<void> {
  const { stdout } = await ip('netns', 'list');
  for (const name of stdout.split('\n').map((l) => l.split(' ')[0] ?? '')) {
    const pid = new RegExp(`^${PREFIX}(\\d+)-`).exec(name)?.[1];
    if (!pid) continue;
    try {
      process.kill(Number(pid), 0);
    } catch {
      await ip('netns', 'del', name).catch(() => undefined);
    }
  }
}

/** The test hosts: namespace names, and the switch port of each host's cable. */
class Network {
  readonly run = `${PREFIX}${process.pid}-${randomBytes(2).toString('hex')}`;
  readonly switch = `${this.run}-sw`;
  readonly namespaces: string[] = [];

  ns(host: string): string {
    return `${this.run}-${host}`;
  }

  /** The switch-side end of a host's veth: downing it is pulling that host's cable. */
  port(host: string): string {
    return `p-${host}`;
  }

  async addNamespace(name: string): Promise<void> {
    await ip('netns', 'add', name);
    this.namespaces.push(name);
    await ip('-n', name, 'link', 'set', 'lo', 'up');
  }

  async create(): Promise<void> {
    await this.addNamespace(this.switch);
    await ip('-n', this.switch, 'link', 'add', 'br0', 'type', 'bridge');
    await ip('-n', this.switch, 'link', 'set', 'br0', 'up');
  }

  /** A host with one cable (eth0) to the switch; the veth is made inside the namespaces, never in ours. */
  async addHost(host: string, addr: string): Promise<string> {
    const ns = this.ns(host);
    await this.addNamespace(ns);
    await ip('-n', ns, 'link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', this.port(host), 'netns', this.switch);
    await ip('-n', this.switch, 'link', 'set', this.port(host), 'master', 'br0');
    await ip('-n', this.switch, 'link', 'set', this.port(host), 'up');
    await ip('-n', ns, 'addr', 'add', `${addr}/16`, 'dev', 'eth0');
    await ip('-n', ns, 'link', 'set', 'eth0', 'up');
    return ns;
  }

  async destroy(): Promise<void> {
    for (const name of this.namespaces.reverse()) await ip('netns', 'del', name).catch(() => undefined);
  }
}

/** Runs a node program inside a namespace; `ip netns exec` execs it, so the pid is the program's. */
function startIn(t: TestContext, ns: string, bin: string, args: string[], procs: Proc[]): Proc {
  const proc = new Proc(spawn('ip', ['netns', 'exec', ns, process.execPath, bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] }));
  procs.push(proc);
  return proc;
}

async function canUseNamespaces(): Promise<string | undefined> {
  const probe = `${PREFIX}${process.pid}-probe`;
  try {
    await ip('netns', 'add', probe);
    await ip('-n', probe, 'link', 'add', 'br0', 'type', 'bridge');
    return undefined;
  } catch (error) {
    return `network namespaces are not permitted here (ip netns add / bridge failed: ${String((error as Error).message).trim().split('\n').pop()})`;
  } finally {
    await ip('netns', 'del', probe).catch(() => undefined);
  }
}

const provisioned = async (minionsRoot: string, id: string) => {
  const tmp = join(minionsRoot, id, 'tmp');
  const example = await readFile(join(tmp, 'example'), 'utf8').catch(() => '');
  const cpis = await readFile(join(tmp, 'cpis'), 'utf8').catch(() => '');
  return example.includes('salt://example') && cpis.includes('initsok');
};
const readyCount = (p: Proc) => p.logs.filter((r) => r.msg === 'minion ready').length;

test('a master and three minions on separate network hosts: provisioning, waiting, restarts and a cut link', { timeout: 420_000 }, async (t) => {
  const refused = await canUseNamespaces().catch((error: Error) => `ip is not usable here: ${error.message}`);
  if (refused) return t.skip(refused);
  await sweepStale();

  const net = new Network();
  const procs: Proc[] = [];
  const work = await mkdtemp(join(tmpdir(), 'saltmq-netns-'));
  // processes first: a namespace with a live process in it outlives `ip netns del`
  t.after(async () => {
    await Promise.all(procs.map((p) => p.stop('SIGKILL')));
    await net.destroy();
    await rm(work, { recursive: true, force: true });
  });
  await net.create();
  const masterNs = await net.addHost('master', MASTER_ADDR);
  const minionNs = new Map<string, string>();
  for (const [i, m] of MINIONS.entries()) minionNs.set(m.id, await net.addHost(`m${i + 1}`, m.addr));

  // the seed's files, each machine's /tmp moved into its own root (the hosts share one file system)
  const masterRoot = join(work, 'master');
  const minionsRoot = join(work, 'minions');
  await cp(join(ROOT, 'lab/seed/salt'), join(masterRoot, 'srv/salt'), { recursive: true });
  await cp(join(ROOT, 'lab/seed/reactor'), join(masterRoot, 'srv/reactor'), { recursive: true });
  const fill = async (file: string, tmp: string) => writeFile(file, (await readFile(file, 'utf8')).replaceAll('@TMP@', tmp));
  await fill(join(masterRoot, 'srv/reactor/auto.sls'), `${minionsRoot}/{{ data['id'] }}/tmp`);
  await fill(join(masterRoot, 'srv/salt/test.sls'), `${minionsRoot}/{{ grains['id'] }}/tmp`);
  const masterEtc = join(masterRoot, 'etc');
  await mkdir(masterEtc, { recursive: true });
  await writeFile(join(masterEtc, 'master'), yaml.dump({
    interface: MASTER_ADDR,
    port: 4506, // each namespace has its own ports: the real default cannot collide with anything
    root_dir: masterRoot,
    log_level: 'info',
    reactor: [{ 'salt/auth': [join(masterRoot, 'srv/reactor/Minion.sls')] }, { 'salt/minion/Min*/start': [join(masterRoot, 'srv/reactor/auto.sls')] }],
  }));
  let master: Proc | undefined;
  const startMaster = async () => {
    master = startIn(t, masterNs, BIN.master, ['-c', masterEtc], procs);
    await master.waitForLog((r) => r.msg === 'master ready');
  };
  const minions = new Map<string, Proc>();
  const startMinion = async (id: string) => {
    const dir = join(minionsRoot, id);
    await mkdir(join(dir, 'tmp'), { recursive: true });
    await mkdir(join(dir, 'etc'), { recursive: true });
    await writeFile(join(dir, 'etc/minion'), yaml.dump({ master: MASTER_ADDR, master_port: 4506, id, root_dir: dir, log_level: 'info', acceptance_wait_time: 1, recon_default: 200, recon_max: 2000, keepalive: 5 }));
    minions.set(id, startIn(t, minionNs.get(id)!, BIN.minion, ['-c', join(dir, 'etc')], procs));
  };
  /** The admin CLIs reach the master on its address, so they run on its host too. */
  const cli = async (bin: 'salt' | 'key' | 'run', args: string[]) => (await run('ip', ['netns', 'exec', masterNs, process.execPath, BIN[bin], '-c', masterEtc, ...args], { timeout: 60_000 })).stdout;

  await t.test('a minion that boots before its master keeps trying and joins once the master is up', async () => {
    await startMinion('Minion-n1');
    const waiting = await minions.get('Minion-n1')!.waitForLog((r) => r.msg === 'cannot reach the master');
    assert.equal(waiting.master, `${MASTER_ADDR}:4506`);
    await new Promise((r) => setTimeout(r, 1500)); // a few more attempts fail before the master starts
    await startMaster();
    await minions.get('Minion-n1')!.waitForLog((r) => r.msg === 'minion ready', 60_000);
  });

  await t.test('the seed reactor accepts every Min* minion across the network and provisions it with state.sls and cmd.run', async () => {
    await startMinion('Minion-n2');
    await startMinion('Minion-n3');
    for (const { id } of MINIONS) await eventually(() => provisioned(minionsRoot, id), 60_000, `${id} provisioned`);
    assert.equal(await cli('key', ['-L']), 'Accepted Keys:\nMinion-n1\nMinion-n2\nMinion-n3\nDenied Keys:\nUnaccepted Keys:\nRejected Keys:\n');
    for (const { id } of MINIONS) {
      const ready = await minions.get(id)!.waitForLog((r) => r.msg === 'minion ready');
      assert.equal(ready.master, `${MASTER_ADDR}:4506`, 'reached through the master host address');
    }
  });

  await t.test('the minions come back by themselves after the master restarts', async () => {
    const before = new Map(MINIONS.map(({ id }) => [id, readyCount(minions.get(id)!)]));
    assert.equal(await master!.stop('SIGTERM'), 0);
    await startMaster();
    await eventually(() => MINIONS.every(({ id }) => readyCount(minions.get(id)!) > before.get(id)!), 60_000, 'every minion reconnected');
    const ping = JSON.parse(await cli('salt', ['*', 'test.ping', '--out', 'json', '--static'])) as unknown;
    assert.deepEqual(ping, { 'Minion-n1': true, 'Minion-n2': true, 'Minion-n3': true });
  });

  await t.test('a cut link heals: the minion reconnects and runs the jobs published while it was cut off', async () => {
    const id = 'Minion-n3';
    const proc = minions.get(id)!;
    const healed = join(minionsRoot, id, 'tmp/healed');
    const before = readyCount(proc);
    const lostBefore = proc.logs.filter((r) => r.msg === 'connection to the master lost; reconnecting').length;
    await ip('-n', net.switch, 'link', 'set', net.port('m3'), 'down');
    // the master still thinks it is connected: this job goes into a dead connection
    assert.match(await cli('salt', [id, 'cmd.run', `echo sent-into-the-cut >> ${healed}`, '--async']), /^Executed command with job ID: \d{20}\n$/);
    // the minion's keepalive (5 s here) notices the silence; it then retries a link that is still down
    await eventually(() => proc.logs.filter((r) => r.msg === 'connection to the master lost; reconnecting').length > lostBefore, 120_000, 'the minion noticed the cut');
    assert.match(await cli('salt', [id, 'cmd.run', `echo sent-while-down >> ${healed}`, '--async']), /^Executed command with job ID: \d{20}\n$/);
    await new Promise((r) => setTimeout(r, 3000));
    assert.equal(await readFile(healed, 'utf8').catch(() => ''), '', 'nothing ran while the cable was out');
    await ip('-n', net.switch, 'link', 'set', net.port('m3'), 'up');
    await eventually(() => readyCount(proc) > before, 90_000, 'the minion reconnected');
    await eventually(async () => (await readFile(healed, 'utf8').catch(() => '')).split('\n').filter(Boolean).length >= 2, 30_000, 'both jobs ran');
    assert.deepEqual((await readFile(healed, 'utf8')).split('\n').filter(Boolean).sort(), ['sent-into-the-cut', 'sent-while-down'], 'each job ran exactly once');
  });
});
