#!/usr/bin/env node
import { BadIdError, ConfigError, createLogger, displayText, idProblem, InvocationError, messageOf, parseCliArgs, SILENT_LOGGER, splitArgs } from '@saltmq/common';
import { CallSession } from '../call/call-session.js';
import { Caller, NO_EVENTS } from '../call/caller.js';
import { connectFailure } from '../call/failures.js';
import { localRequests } from '../call/local-channel.js';
import { CALL_USAGE, CallUsageError, parseCallArgs, type CallOptions } from '../call/options.js';
import { loadMinionConfig } from '../config.js';
import { loadOrCreateMinionKeys } from '../keys.js';
import { bindArgs } from '../loader.js';

const PROGRAM = 'saltmq-call';

async function main(): Promise<number> {
  let options: CallOptions | 'help';
  try {
    options = parseCallArgs(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${CALL_USAGE}\n\n${PROGRAM}: error: ${(error as Error).message}\n`);
    return error instanceof CallUsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS') ? 2 : 1;
  }
  if (options === 'help') {
    process.stdout.write(CALL_USAGE + '\n');
    return 0;
  }
  let config;
  try {
    config = await loadMinionConfig(options.configDir, SILENT_LOGGER);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${PROGRAM}: invalid configuration: ${error.message}\n`);
    return 2;
  }
  // salt-call --id: run as another minion id (mostly masterless; with a master, that id's key decides)
  if (options.id !== undefined) config = { ...config, id: options.id };
  const badId = idProblem(config.id);
  if (badId) {
    process.stderr.write(`${PROGRAM}: ${new BadIdError(config.id, badId).message}\n`);
    return 2;
  }
  // a person reads this on a terminal, as salt-call's console log; daemons keep JSON lines
  const log = createLogger({ name: PROGRAM, level: options.logLevel ?? config.log_level, format: 'console' });
  const caller = await Caller.create(config, log);
  if (!caller.registry.has(options.fun)) {
    // salt-call: a module name (or a prefix) prints the docs of what it holds, with the complaint; exit 1
    const docs = (await caller.run('sys.doc', [`${options.fun}*`], new AbortController().signal)).return;
    if (docs && typeof docs === 'object' && Object.keys(docs).length > 0) {
      const shown = { ...(docs as Record<string, unknown>), [options.fun]: `'${options.fun}' is not available.` };
      process.stdout.write(displayText('nested', { local: shown }, { color: options.color }));
      return 1;
    }
    // nothing like it: on stderr, not as a return, and sys.exit(-1), i.e. 255
    process.stderr.write(`'${options.fun}' is not available.\n`);
    return 255;
  }

  // salt-call checks the arguments before it runs anything: on stderr, with the function's usage
  const args = parseCliArgs(options.args);
  const invalid = argumentProblem(caller, options.fun, args);
  if (invalid !== undefined) {
    process.stderr.write(`\nPassed invalid arguments: ${invalid.message}.\n\nUsage:\n\n    ${invalid.usage}\n`);
    return 1;
  }

  let session: CallSession | undefined;
  if (options.local || config.file_client === 'local') {
    caller.attach({ request: localRequests(config, caller.grains, log), fireEvent: NO_EVENTS });
  } else {
    try {
      session = await CallSession.open(config, await loadOrCreateMinionKeys(config.pki_dir, config.keysize, log), log);
    } catch (error) {
      const failure = connectFailure(error, config);
      process.stderr.write(`ERROR: ${failure.message}\n`);
      return failure.code;
    }
    caller.attach(session);
  }

  const abort = new AbortController();
  const stop = () => abort.abort(new Error('saltmq-call was interrupted'));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    const outcome = await caller.run(options.fun, args, abort.signal);
    if (outcome.error !== undefined) {
      // salt-call: a function that raises prints "Error running" on stderr, exit 1 (no output, no return)
      process.stderr.write(`Error running '${options.fun}': ${outcome.error}\n`);
      return 1;
    }
    // --out=highstate is not forced onto functions that are not states, as in Salt
    const name = options.out === 'highstate' && outcome.out !== 'highstate' ? (outcome.out ?? 'nested') : (options.out ?? outcome.out ?? 'nested');
    const opts = { color: options.color, retcode: outcome.retcode, ...(options.outIndent !== undefined ? { indent: options.outIndent } : {}) };
    process.stdout.write(displayText(name, { local: outcome.return }, opts));
    // Salt's salt-call sends its return to the master (jid 'req'): the job cache and salt/job/*/ret/* see it
    if (session && options.returnEvent) {
      const ret = { fun: options.fun, fun_args: options.args, return: outcome.return, retcode: outcome.retcode, success: outcome.success, ...(outcome.out ? { out: outcome.out } : {}) };
      await session.request('job.standalone_return', ret, 10_000).catch((error: unknown) => log.warn('the return did not reach the master', { error: messageOf(error) }));
    }
    if (options.retcodePassthrough) return outcome.retcode;
    return outcome.retcode === 0 ? 0 : 1;
  } finally {
    await session?.close();
  }
}

/** Why the arguments do not fit the function, with its usage, or undefined when they fit. */
function argumentProblem(caller: Caller, fun: string, arg: unknown[]): { message: string; usage: string } | undefined {
  const impl = caller.registry.get(fun);
  try {
    const { args, kwargs } = splitArgs(arg);
    bindArgs(fun, impl, args, kwargs);
    return undefined;
  } catch (error) {
    if (!(error instanceof InvocationError)) throw error;
    return { message: error.message.replace(/^Passed invalid arguments to [^:]+: /, ''), usage: impl.doc };
  }
}

main().then(
  (code) => {
    process.exitCode = code;
    // let stdout drain before exiting; the connection is closed by then
    setImmediate(() => process.exit(code));
  },
  (error: unknown) => {
    process.stderr.write(`${PROGRAM}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
