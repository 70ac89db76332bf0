#!/usr/bin/env node
import { userInfo } from 'node:os';
import { formatNoReturn, parseCliArgs, displayText, type Json, type OutputOptions } from '@saltmq/common';
import { AdminClient, RemoteError } from './admin-client.js';
import { cliConfig, fail, runCli } from './common.js';
import { noReturnMessage, type MinionStatus } from './no-return.js';
import { ReturnWatcher, type MinionReturn } from './return-watcher.js';
import { parseSaltArgs, SALT_USAGE, UsageError, type SaltOptions } from './salt-options.js';

const PROGRAM = 'saltmq';

interface JobStatus {
  load: { expires: number };
  minions: Record<string, MinionStatus>;
}

async function main(): Promise<number> {
  let options: SaltOptions | 'help';
  try {
    options = parseSaltArgs(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${SALT_USAGE}\n\n${PROGRAM}: error: ${(error as Error).message}\n`);
    return error instanceof UsageError && /target|Incomplete/.test(error.message) ? 42 : 2;
  }
  if (options === 'help') {
    process.stdout.write(SALT_USAGE + '\n');
    return 0;
  }
  const config = await cliConfig(PROGRAM, options.configDir);
  const admin = await AdminClient.connect(config).catch((error: Error) => fail(PROGRAM, `cannot reach the master: ${error.message}`, 2));
  if (!admin) return fail(PROGRAM, `ERROR: no saltmq master is running for ${options.configDir} (start saltmq-master -c ${options.configDir})`, 2);
  try {
    return await run(admin, options, config.timeout, config.gather_job_timeout, { stateOutput: config.state_output, stateVerbose: config.state_verbose });
  } finally {
    await admin.close();
  }
}

async function run(admin: AdminClient, o: SaltOptions, defaultTimeout: number, defaultGather: number, stateOpts: OutputOptions): Promise<number> {
  const arg = parseCliArgs(o.args) as Json[];
  const tgt = o.tgtType === 'list' ? o.tgt.split(o.tgt.includes(',') ? ',' : ' ').map((s) => s.trim()).filter(Boolean) : o.tgt;
  // Salt records the publishing user: root, or sudo_<name> when run through sudo
  const user = process.env.SUDO_USER ? `sudo_${process.env.SUDO_USER}` : userInfo().username;
  const publishParams: Record<string, unknown> = { tgt, tgt_type: o.tgtType, fun: o.fun, arg, user };
  if (o.jobTtl !== undefined) publishParams.job_ttl = o.jobTtl;
  if (o.async) {
    const result = await publish(admin, publishParams);
    if (!result) return 2;
    process.stdout.write(`Executed command with job ID: ${result.jid}\n`);
    return 0;
  }
  const outOpts: OutputOptions = { ...stateOpts, color: o.color, ...(o.outIndent !== undefined ? { indent: o.outIndent } : {}) };
  const collected: MinionReturn[] = [];
  const print = (ret: MinionReturn) => {
    collected.push(ret);
    if (!o.static) process.stdout.write(render(o.out, ret, outOpts));
  };
  const jid = await admin.request<string>('prep_jid');
  const watcher = await ReturnWatcher.start(admin, jid, print);
  const result = await publish(admin, { ...publishParams, jid });
  if (!result) return 2;
  if (o.verbose) {
    const line = `Executing job with jid ${jid}`;
    process.stdout.write(`${line}\n${'-'.repeat(line.length)}\n\n`);
  } else if (o.showJid) process.stdout.write(`jid: ${jid}\n`);

  const timeoutMs = (o.timeout ?? defaultTimeout) * 1000;
  let missing = await watcher.waitFor(result.minions, Date.now() + timeoutMs);
  const stillRunning = new Set<string>();
  if (missing.length > 0) missing = await askRunning(admin, watcher, jid, missing, timeoutMs, (o.gatherJobTimeout ?? defaultGather) * 1000, stillRunning);
  const status = missing.length > 0 || result.missing.length > 0 ? await admin.request<JobStatus | null>('job.status', { jid }) : null;
  const silent = [...missing, ...result.missing];
  if (o.static) {
    const all: Record<string, unknown> = Object.fromEntries(collected.map((r) => [r.id, r.return]));
    if (!o.hideTimeout) for (const id of silent) all[id] = noReturnMessage(jid, status?.minions[id], stillRunning.has(id), status?.load.expires);
    process.stdout.write(displayText(o.out ?? collected[0]?.out ?? 'nested', all, outOpts));
  } else if (!o.hideTimeout) {
    for (const id of silent) process.stdout.write(formatNoReturn(id, noReturnMessage(jid, status?.minions[id], stillRunning.has(id), status?.load.expires), outOpts));
  }
  if (o.summary) printSummary(result.minions.length + result.missing.length, collected, silent, o.verbose);
  if (collected.length === 0) {
    process.stderr.write('ERROR: No return received\n');
    return 2;
  }
  if (silent.length > 0 || collected.some((r) => r.retcode !== 0 || r.return === false)) {
    process.stderr.write('ERROR: Minions returned with non-zero exit code\n');
    return 1;
  }
  return 0;
}

function render(out: string | undefined, ret: MinionReturn, opts: OutputOptions): string {
  // --out=highstate is not forced onto functions that are not states, as in Salt
  const name = out === 'highstate' && ret.out !== 'highstate' ? ret.out ?? 'nested' : out ?? ret.out ?? 'nested';
  return displayText(name, { [ret.id]: ret.return }, { ...opts, retcode: ret.retcode });
}

async function publish(admin: AdminClient, params: Record<string, unknown>): Promise<{ jid: string; minions: string[]; missing: string[] } | undefined> {
  try {
    return await admin.request('publish', params);
  } catch (error) {
    if (error instanceof RemoteError && error.code === 'ERR_TARGET') {
      process.stdout.write(`${error.message}\n`);
      process.stderr.write('ERROR: No return received\n');
      return undefined;
    }
    throw error;
  }
}

/**
 * Salt's gather_job_timeout loop: ask the silent minions with saltutil.find_job whether they still
 * run the job; each one that does gets another timeout, until none does.
 */
async function askRunning(
  admin: AdminClient,
  watcher: ReturnWatcher,
  jid: string,
  silent: string[],
  timeoutMs: number,
  gatherMs: number,
  stillRunning: Set<string>,
): Promise<string[]> {
  let missing = silent;
  for (let round = 0; round < 1000 && missing.length > 0; round++) {
    const status = await admin.request<JobStatus | null>('job.status', { jid });
    const ask = missing.filter((id) => status?.minions[id]?.connected && ['delivered', 'running'].includes(status.minions[id]!.state));
    if (ask.length === 0) return missing;
    const findJid = await admin.request<string>('prep_jid');
    const finder = await ReturnWatcher.start(admin, findJid);
    await admin.request('publish', { tgt: ask, tgt_type: 'list', fun: 'saltutil.find_job', arg: [jid], jid: findJid, job_ttl: gatherMs / 1000 }).catch(() => undefined);
    await finder.waitFor(ask, Date.now() + gatherMs);
    const running = ask.filter((id) => {
      const answer = finder.returns.get(id)?.return;
      return answer !== null && typeof answer === 'object' && Object.keys(answer).length > 0;
    });
    stillRunning.clear();
    for (const id of running) stillRunning.add(id);
    if (running.length === 0) return watcher.waitFor(missing, Date.now());
    missing = await watcher.waitFor(missing, Date.now() + timeoutMs);
  }
  return missing;
}

function printSummary(targeted: number, returned: MinionReturn[], silent: string[], verbose: boolean): void {
  const failed = returned.filter((r) => r.retcode !== 0);
  const lines = [
    '-------------------------------------------',
    'Summary',
    '-------------------------------------------',
    `# of minions targeted: ${targeted}`,
    `# of minions returned: ${returned.length}`,
    `# of minions that did not return: ${silent.length}`,
    `# of minions with errors: ${failed.length}`,
  ];
  if (verbose) {
    if (silent.length) lines.push(`Minions not responding: ${silent.join(' ')}`);
    if (failed.length) lines.push(`Minions with failures: ${failed.map((r) => r.id).join(' ')}`);
  }
  lines.push('-------------------------------------------');
  process.stdout.write(lines.join('\n') + '\n');
}

runCli(PROGRAM, main);
