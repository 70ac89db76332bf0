/**
 * Jobs for offline minions: N accepted minions connect, then all go away; J test.ping jobs are
 * published while they are gone (the master queues them durably); the minions come back. Every job
 * must reach every minion exactly once: deliveries are counted inside each simulated minion (a
 * second copy would be refused by the real job guard as a replay, so no return would show it), and
 * returns on the bus. The time is from the reconnect to the last return.
 * bare: persistent sessions (clean: false) with QoS 1 subscriptions; the broker queues the messages.
 */
import { BareBroker, BareFleet, bareController } from '../bare/bare.js';
import { say, ticker } from '../lib/progress.js';
import { figure } from '../lib/report.js';
import { round, sleep } from '../lib/stats.js';
import { BenchAdmin } from '../saltmq/admin.js';
import { Fleet } from '../saltmq/fleet.js';
import { startSaltMaster } from '../saltmq/master.js';
import { acceptedKeys, minions, phaseDir, Tally, waitFor, type PhaseContext, type PhaseResult } from './context.js';

async function saltmqOffline(ctx: PhaseContext, n: number, jobs: number) {
  const dir = await phaseDir(ctx, 'offline');
  const fleetMinions = minions(ctx, n);
  const master = await startSaltMaster(dir, { accept: acceptedKeys(fleetMinions), profileDir: ctx.options.profileDir });
  const fleet = await Fleet.create(dir, master.trust, fleetMinions, ctx.options.perWorker);
  const admin = await BenchAdmin.connect(master.trust);
  try {
    await fleet.startReady();
    await fleet.stop();
    await sleep(1000);
    say(`saltmq: all ${n} minions offline; publishing ${jobs} jobs`);
    const returns = new Tally();
    await admin.watch(['salt/job/+/ret/+'], (topic) => returns.add(topic));
    const jids: string[] = [];
    for (let j = 0; j < jobs; j++) jids.push((await admin.request<{ jid: string }>('publish', { tgt: '*', fun: 'test.ping' })).jid);
    let queued = 0;
    for (const jid of jids) {
      const status = await admin.request<{ minions: Record<string, { state: string }> } | null>('job.status', { jid });
      queued += Object.values(status?.minions ?? {}).filter((m) => m.state === 'queued').length;
    }
    say(`saltmq: ${queued}/${n * jobs} deliveries queued; minions reconnect`);
    const start = Date.now();
    const stop = ticker(() => `connected ${fleet.progress().ready}/${n}, returns ${returns.size}/${n * jobs}`);
    await fleet.restart();
    await waitFor(() => returns.size >= n * jobs, () => returns.size + fleet.progress().ready, 60_000);
    stop();
    const stats = await fleet.stats();
    const delivered = jids.reduce((sum, jid) => sum + Math.min(n, stats.perJid[jid] ?? 0), 0);
    const twice = jids.reduce((sum, jid) => sum + Math.max(0, (stats.perJid[jid] ?? 0) - n), 0) + stats.duplicates;
    say(`saltmq: ${delivered}/${n * jobs} delivered, ${twice} twice, ${returns.size} returns in ${round((returns.last - start) / 1000)} s`);
    return { seconds: (returns.last - start) / 1000, delivered, returns: returns.size, twice, queued };
  } finally {
    await admin.close();
    await fleet.close();
    await master.stop();
  }
}

async function bareOffline(ctx: PhaseContext, n: number, jobs: number) {
  const broker = await BareBroker.start();
  const fleet = await BareFleet.create(broker, minions(ctx, n).map((m) => m.id), ctx.options.perWorker);
  try {
    await fleet.connect('echo', false);
    await fleet.disconnect();
    const controller = await bareController(broker);
    const replies = new Tally();
    controller.on('message', (topic, payload) => replies.add(`${topic}:${payload.toString()}`));
    await controller.subscribeAsync('ret/+', { qos: 1 });
    for (let j = 0; j < jobs; j++) for (const id of fleet.groups.flat()) controller.publish(`job/${id}`, JSON.stringify({ j }), { qos: 1 });
    await sleep(1000);
    const start = Date.now();
    await fleet.reconnect();
    await waitFor(() => replies.size >= n * jobs, () => replies.size, 30_000);
    const stats = await fleet.stats();
    say(`bare tcp: ${replies.size}/${n * jobs} queued messages echoed in ${round((replies.last - start) / 1000)} s`);
    await controller.endAsync();
    return { seconds: (replies.last - start) / 1000, returns: replies.size, twice: stats.duplicates };
  } finally {
    await fleet.close();
    await broker.close();
  }
}

export async function runOffline(ctx: PhaseContext, n: number): Promise<PhaseResult> {
  const jobs = ctx.options.offlineJobs;
  const salt = await saltmqOffline(ctx, n, jobs);
  const bare = await bareOffline(ctx, n, jobs);
  const expected = n * jobs;
  return {
    offline: figure({
      title: `jobs for ${n} offline minions`,
      measures: `${jobs} jobs published while all ${n} minions were away; reconnect to the last return, each delivery counted in the minion`,
      unit: 's',
      better: 'lower',
      value: round(salt.seconds, 2),
      details: { minions: n, jobs, expected, queued: salt.queued, delivered: salt.delivered, returns: salt.returns, twice: salt.twice },
      baseline: { value: round(bare.seconds, 2), how: 'persistent sessions (clean: false), QoS 1 messages queued by Aedes while the clients were away', details: { returns: bare.returns, twice: bare.twice } },
      target: { text: 'all delivered, none twice', met: salt.delivered === expected && salt.returns === expected && salt.twice === 0 },
      lost: expected - Math.min(salt.delivered, salt.returns),
      duplicates: salt.twice,
      notes: [],
    }),
  };
}
