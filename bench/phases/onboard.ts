/**
 * Onboarding: N minions the master has never seen connect at once with the seed's reactor. salt/auth
 * (act: pend) → wheel.key.accept for ids starting with Min; the accepted connection is promoted in
 * place; salt/minion/<id>/start → local.state.sls (file.managed from salt://) and local.cmd.run. A
 * minion is provisioned when the master has both returns; the figure is the time from the first
 * connect to the last minion provisioned.
 * bare: hello → accept, start → two jobs, each echoed: the same message moves, with no keys, no
 * rendering, no file server and no command run.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { BareBroker, BareFleet, bareController } from '../bare/bare.js';
import { say, ticker } from '../lib/progress.js';
import { figure } from '../lib/report.js';
import { round, sleep } from '../lib/stats.js';
import { BenchAdmin } from '../saltmq/admin.js';
import { Fleet } from '../saltmq/fleet.js';
import { startSaltMaster } from '../saltmq/master.js';
import { minions, phaseDir, Tally, waitFor, type PhaseContext, type PhaseResult } from './context.js';

/** The seed's reactor files (lab/seed/reactor), with the per-machine /tmp moved into the bench dir. */
function seedFiles(out: string): Record<string, string> {
  return {
    'srv/reactor/Minion.sls': [
      "{% if 'act' in data and data['act'] == 'pend' and data['id'].startswith('Min') %}",
      'key_accept:',
      '  wheel.key.accept:',
      "    - match: {{ data['id'] }}",
      '{% endif %}',
      '',
    ].join('\n'),
    'srv/reactor/auto.sls': [
      'run_state:',
      '  local.state.sls:',
      "    - tgt: {{ data['id'] }}",
      '    - arg:',
      '      - bench',
      'run_init:',
      '  local.cmd.run:',
      "    - tgt: {{ data['id'] }}",
      '    - arg:',
      `      - echo initsok >> ${out}/{{ data['id'] }}-cpis`,
      '',
    ].join('\n'),
    'srv/salt/bench.sls': [`${out}/{{ grains['id'] }}-example:`, '  file.managed:', '    - source: salt://example', ''].join('\n'),
    'srv/salt/example': 'provisioned by the saltmq bench\n',
    'provisioned/.keep': '',
  };
}

interface Provision {
  funs: Set<string>;
  failed: string[];
}

async function saltmqOnboard(ctx: PhaseContext, n: number) {
  const dir = await phaseDir(ctx, 'onboard');
  const out = join(dir, 'provisioned');
  const config = {
    file_roots: { base: [join(dir, 'srv/salt')] },
    reactor: [{ 'salt/auth': [join(dir, 'srv/reactor/Minion.sls')] }, { 'salt/minion/Min*/start': [join(dir, 'srv/reactor/auto.sls')] }],
  };
  const master = await startSaltMaster(dir, { config, files: seedFiles(out), profileDir: ctx.options.profileDir });
  const fleet = await Fleet.create(dir, master.trust, minions(ctx, n), ctx.options.perWorker);
  const admin = await BenchAdmin.connect(master.trust);
  try {
    const provisioned = new Map<string, Provision>();
    const done = new Tally();
    await admin.watch(['salt/job/+/ret/+'], (_topic, payload) => {
      const ret = JSON.parse(payload.toString()) as { id: string; fun: string; success: boolean; return: unknown };
      const p = provisioned.get(ret.id) ?? { funs: new Set<string>(), failed: [] };
      provisioned.set(ret.id, p);
      p.funs.add(ret.fun);
      if (!ret.success) p.failed.push(`${ret.fun}: ${JSON.stringify(ret.return).slice(0, 300)}`);
      if (p.funs.has('state.sls') && p.funs.has('cmd.run')) done.add(ret.id);
    });
    await sleep(1000);
    say(`saltmq: ${n} new minions connect at once`);
    const cpu0 = master.cpuMs();
    const start = Date.now();
    const stop = ticker(() => `accepted ${fleet.progress().ready}/${n}, provisioned ${done.size}/${n}`);
    await fleet.start();
    await waitFor(() => done.size >= n, () => done.size + fleet.progress().ready, 60_000);
    stop();
    const seconds = (done.last - start) / 1000;
    const failures = [...provisioned.values()].flatMap((p) => p.failed);
    const files = (await readdir(out)).filter((f) => f.endsWith('-example')).length;
    say(`saltmq: ${done.size}/${n} provisioned in ${round(seconds)} s; ${failures.length} failed returns; ${files} files managed`);
    return { seconds, provisioned: done.size, failures, files, cpuMs: master.cpuMs() - cpu0, problems: master.problems.slice(0, 5) };
  } finally {
    await admin.close();
    await fleet.close();
    await master.stop();
  }
}

async function bareOnboard(ctx: PhaseContext, n: number) {
  const broker = await BareBroker.start();
  await broker.relay('onboard');
  const fleet = await BareFleet.create(broker, minions(ctx, n).map((m) => m.id), ctx.options.perWorker);
  try {
    const controller = await bareController(broker);
    const rets = new Map<string, number>();
    const done = new Tally();
    controller.on('message', (topic) => {
      const count = (rets.get(topic) ?? 0) + 1;
      rets.set(topic, count);
      if (count === 2) done.add(topic);
    });
    await controller.subscribeAsync('ret/+', { qos: 1 });
    const start = Date.now();
    await fleet.connect('onboard');
    await waitFor(() => done.size >= n, () => done.size, 30_000);
    say(`bare tcp: ${done.size}/${n} onboarded in ${round((done.last - start) / 1000)} s`);
    await controller.endAsync();
    return { seconds: (done.last - start) / 1000, provisioned: done.size };
  } finally {
    await fleet.close();
    await broker.close();
  }
}

export async function runOnboard(ctx: PhaseContext, n: number): Promise<PhaseResult> {
  const salt = await saltmqOnboard(ctx, n);
  const bare = await bareOnboard(ctx, n);
  const notes = [
    'the master certificate is pinned in advance (as with master_finger provisioning); a first-contact probe would add one TLS handshake per minion',
    ...salt.failures.slice(0, 3).map((f) => `failed return: ${f}`),
  ];
  return {
    onboarding: figure({
      title: `onboarding ${n} new minions`,
      measures: 'first CONNECT to the last minion with both state.sls and cmd.run returns, seed reactor (auth accept + start provisioning)',
      unit: 's',
      better: 'lower',
      value: round(salt.seconds, 2),
      details: { minions: n, provisioned: salt.provisioned, failed_returns: salt.failures.length, files_managed: salt.files, master_cpu_s: round(salt.cpuMs / 1000) },
      baseline: { value: round(bare.seconds, 2), how: 'hello → accept, start → 2 jobs echoed, relayed inside the bare broker', details: { provisioned: bare.provisioned } },
      target: { text: '≤ 20 s, all provisioned', met: salt.seconds <= 20 && salt.provisioned === n && salt.failures.length === 0 },
      lost: n - salt.provisioned,
      duplicates: 0,
      notes,
    }),
  };
}
