import { join } from 'node:path';
import type { Client } from 'aedes';
import { adminTopic, callTopic, chunkBytesFor, FileRoots, MASTER_FILTERS, minionTopic, parseCallTopic, parsePrivateTopic, PillarCompiler, tags, type Logger } from '@saltmq/common';
import type { Session } from './broker/access.js';
import { makeAuthenticator } from './broker/authenticate.js';
import { makeHooks } from './broker/hooks.js';
import { startBrokerServer, type BrokerServer } from './broker/server.js';
import { AedesBus } from './bus/aedes-bus.js';
import type { MasterConfig } from './config.js';
import { EventBus, type JournalRecord } from './events/event-bus.js';
import { GrainsCache } from './minions/grains-cache.js';
import { makeMinionEventHandler } from './minions/minion-events.js';
import { Presence } from './minions/presence.js';
import { PatternFile } from './pki/auto-sign.js';
import { KeyGate } from './pki/key-gate.js';
import { KeyManager } from './pki/key-manager.js';
import { KeyOps } from './pki/key-ops.js';
import { KeyStore } from './pki/key-store.js';
import { loadOrCreateIdentity, type MasterIdentity } from './pki/master-keys.js';
import { registerAdminMethods } from './requests/admin-methods.js';
import { RequestRouter } from './requests/router.js';
import { registerMinionMethods } from './requests/minion-methods.js';
import { MasterMinion } from './master-minion.js';
import { registerFileServerMethods } from './fileserver/index.js';
import { AppendLog } from '@saltmq/common';
import { JobService } from './jobs/job-service.js';
import { JobStore } from './jobs/job-store.js';
import { removeRuntimeFile, writeRuntimeFile } from './runtime-file.js';
import { makeJobsRunner } from './runners/jobs.js';
import { RunnerService, type RunnerFunction } from './runners/runner.js';
import { makeReactorRunner } from './runners/reactor.js';
import { makeEventRunner } from './runners/event.js';
import { makeOrchestrateRunner } from './orchestrate/runner.js';
import type { OrchDeps } from './orchestrate/orch-states.js';
import { userInfo } from 'node:os';
import { startReactor, type ReactorHandle } from './reactor/start-reactor.js';
import { loadMasterConfig } from './config.js';
import { makeKeyWheel } from './wheel/key.js';

/** A master that is up: its bound port and how to stop it. */
export interface RunningMaster {
  port: number;
  identity: MasterIdentity;
  /** re-reads the config directory and applies what can change live (the reactor map) */
  reload(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Starts a master: keys, the broker behind TLS with its access hooks, the event bus with its journal,
 * key management and the request channels. Resolves once the port is bound.
 */
export async function startMaster(config: Readonly<MasterConfig>, log: Logger): Promise<RunningMaster> {
  const identity = await loadOrCreateIdentity(config.pki_dir, 2048, log);
  const store = new KeyStore(config.pki_dir);
  await store.init();
  const ops = new KeyOps(store);
  const grains = new GrainsCache(join(config.cachedir, 'minions'), log);
  await grains.load();
  const journal = await AppendLog.open<JournalRecord>(join(config.cachedir, 'journal'), { log }, () => undefined);
  const jobStore = await JobStore.open(join(config.cachedir, 'jobs'), config.keep_jobs_seconds, log);

  const presence = new Presence();
  const sessions = new WeakMap<Client, Session>();
  const gate = new KeyGate(store, {
    autoAccept: config.auto_accept,
    autosign: new PatternFile(config.autosign_file, config.permissive_pki_access, log),
    autoreject: new PatternFile(config.autoreject_file, config.permissive_pki_access, log),
    maxMinions: config.max_minions,
    isConnected: (id) => presence.isConnected(id),
  });
  // the event bus needs the broker and the broker's authenticator fires events: fire through a late binding
  let events: EventBus | undefined;
  const authenticate = makeAuthenticator({
    gate,
    adminToken: identity.adminToken,
    masterFingerprint: identity.fingerprint,
    fireAuth: (data) => {
      if (config.auth_events) void events?.fire(tags.auth, data);
    },
    log: log.child({ component: 'auth' }),
  });
  const server: BrokerServer = await startBrokerServer({
    host: config.interface,
    port: config.port,
    keyPem: identity.privatePem,
    certPem: identity.certPem,
    limits: { beforeConnect: 64 * 1024, afterConnect: config.max_packet_size },
    hooks: makeHooks({ authenticate, sessions, log: log.child({ component: 'broker' }), connectRatePerIp: config.connect_rate_per_ip }),
    log: log.child({ component: 'broker' }),
  });
  const bus = new AedesBus(server.broker);
  events = new EventBus(bus, log.child({ component: 'events' }), { maxEventSize: config.max_event_size, journal });
  const keys = new KeyManager(ops, presence, bus, events, log.child({ component: 'keys' }));
  const wheel = makeKeyWheel(ops, (changes) => keys.apply(changes));

  const jobs = new JobService({
    store: jobStore,
    keys: store,
    grains,
    presence,
    bus,
    events,
    privatePem: identity.privatePem,
    jobTtlSeconds: config.job_ttl,
    log: log.child({ component: 'jobs' }),
  });
  trackPresence(server, sessions, presence, keys, (id) => void jobs.deliverOpen(id).catch((error: Error) => log.error('delivery failed', { id, error })), log);
  const housekeeping = setInterval(() => {
    jobStore.expireDue(Date.now());
    void jobStore.prune(Date.now()).catch((error: Error) => log.error('job cache pruning failed', { error }));
    void journal.prune(Date.now() - config.keep_events_seconds * 1000).catch((error: Error) => log.error('journal pruning failed', { error }));
  }, 5000);
  housekeeping.unref();

  const adminRouter = new RequestRouter('admin', bus, (id) => adminTopic(id, 'resp'), log.child({ component: 'admin' }));
  const fileRoots = new FileRoots(config.file_roots, log.child({ component: 'fileserver' }));
  let reactorHandle: ReactorHandle | undefined;
  const runnerFunctions: Record<string, RunnerFunction> = {
    ...makeJobsRunner(jobs),
    ...makeEventRunner(events),
    ...makeOrchestrateRunner(
      config,
      fileRoots,
      (): OrchDeps => ({ jobs, runners, wheel, user: userInfo().username, timeout: config.timeout * 6 }),
      () => masterMinion,
    ),
    ...makeReactorRunner({ reactor: () => reactorHandle!.reactor, compile: () => reactorHandle!.compile, journal, events }),
  };
  const runners = new RunnerService(runnerFunctions, jobs, events, log.child({ component: 'runner' }));
  const pillar = new PillarCompiler(config.pillar_roots, log.child({ component: 'pillar' }));
  const masterMinion = await new MasterMinion({ config, pillar, runners, wheel, log: log.child({ component: 'master-minion' }) }).load();
  reactorHandle = await startReactor({
    config,
    events,
    journal,
    jobs,
    runners,
    wheel,
    resolveSaltUrl: async (url) => (await fileRoots.find(url, 'base').catch(() => undefined))?.real,
    masterMinion,
    log: log.child({ component: 'reactor' }),
  });
  registerAdminMethods(adminRouter, { wheel, events, config, jobs, runners });
  const minionRouter = new RequestRouter('minion', bus, (id) => minionTopic(id, 'resp'), log.child({ component: 'minion-requests' }));
  registerMinionMethods(minionRouter, { grains, pillar, jobs });
  registerFileServerMethods(minionRouter, { fileRoots: config.file_roots, log: log.child({ component: 'fileserver' }), chunkBytes: chunkBytesFor(config.max_packet_size) });
  const onMinionEvent = makeMinionEventHandler({
    events,
    log: log.child({ component: 'minion-events' }),
    onGrains: (id, data) => void grains.set(id, data).catch((error: Error) => log.error('grains not cached', { id, error })),
    onStart: () => undefined,
  });

  const unsubscribe = [
    await bus.subscribe(MASTER_FILTERS.adminReq, (topic, payload) => {
      const parsed = parsePrivateTopic(topic);
      if (parsed) void adminRouter.handle(parsed.id, payload);
    }),
    await bus.subscribe(MASTER_FILTERS.minionReq, (topic, payload) => {
      const parsed = parsePrivateTopic(topic);
      if (parsed) void minionRouter.handle(parsed.id, payload);
    }),
    // saltmq-call sessions ask what the minion may ask, as the minion, and get the answer on their own channel
    await bus.subscribe(MASTER_FILTERS.callReq, (topic, payload) => {
      const parsed = parseCallTopic(topic);
      if (parsed) void minionRouter.handle(parsed.id, payload, callTopic(parsed.id, parsed.session, 'resp'));
    }),
    await bus.subscribe(MASTER_FILTERS.minionEvent, (topic, payload) => {
      const parsed = parsePrivateTopic(topic);
      if (parsed) void onMinionEvent(parsed.id, payload);
    }),
    await bus.subscribe(MASTER_FILTERS.minionRet, (topic, payload) => {
      const parsed = parsePrivateTopic(topic);
      if (parsed) void jobs.onReturn(parsed.id, payload).catch((error: Error) => log.error('return not stored', { id: parsed.id, error }));
    }),
  ];
  await writeRuntimeFile(config.cachedir, { port: server.port, interface: config.interface, pid: process.pid });

  log.info('master ready', { port: server.port, interface: config.interface, pki_dir: config.pki_dir, fingerprint: identity.fingerprint });
  let closing: Promise<void> | undefined;
  return {
    port: server.port,
    identity,
    async reload() {
      const next = await loadMasterConfig(config.config_dir, log);
      await reactorHandle?.reload(next);
    },
    close() {
      closing ??= (async () => {
        clearInterval(housekeeping);
        await reactorHandle?.stop();
        for (const stop of unsubscribe) await stop();
        await server.close();
        await jobStore.close();
        await journal.close();
        await removeRuntimeFile(config.cachedir);
        log.info('master stopped');
      })();
      return closing;
    },
  };
}

/** Keeps Presence in step with the broker and greets minions as they subscribe. */
function trackPresence(
  server: BrokerServer,
  sessions: WeakMap<Client, Session>,
  presence: Presence,
  keys: KeyManager,
  onReady: (id: string) => void,
  log: Logger,
): void {
  const { broker } = server;
  broker.on('client', (client) => {
    const session = sessions.get(client);
    if (session) presence.connected(client, session);
  });
  broker.on('clientDisconnect', (client) => {
    if (presence.disconnected(client, sessions.get(client))) log.debug('minion disconnected', { id: client.id });
  });
  broker.on('subscribe', (subscriptions, client) => {
    const session = client ? sessions.get(client) : undefined;
    if (!session || (session.role !== 'accepted' && session.role !== 'pending')) return;
    for (const sub of subscriptions) {
      if ((sub.qos as number) === 128) continue; // refused
      if (sub.topic === minionTopic(session.id, 'key')) {
        void keys.notify(session.id, { v: 1, status: session.role === 'accepted' ? 'accepted' : 'pending' });
      } else if (sub.topic === minionTopic(session.id, 'job')) {
        presence.markReady(session.id);
        onReady(session.id);
      }
    }
  });
}
