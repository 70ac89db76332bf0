import { createHash, randomInt } from 'node:crypto';
import { setTimeout as sleepFor } from 'node:timers/promises';
import { InvocationError } from '@saltmq/common';
import { fn, type CallContext, type ExecutionFunction, type Module } from '../loader.js';
import { SALTMQ_VERSION } from '../grains/version.js';
import { asBool, pyStr } from '../process/options.js';

// Python's int(): Salt's test functions call int() on their argument, which truncates floats.
function pyInt(value: unknown, name: string): number {
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  if (!Number.isFinite(n)) throw new InvocationError(`${name} must be an integer, got ${pyStr(value)}`);
  return Math.trunc(n);
}

// Sleeps, but a kill_job (or shutdown) ends the wait at once with the abort reason.
async function pause(ctx: CallContext, seconds: number): Promise<void> {
  try {
    await sleepFor(seconds * 1000, undefined, { signal: ctx.signal });
  } catch (error) {
    if (ctx.signal.aborted) throw ctx.signal.reason;
    throw error;
  }
}

const elapsed = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e9;

// Python's type names, which test.arg_type reports.
function pyType(value: unknown): string {
  if (value === null || value === undefined) return "<class 'NoneType'>";
  if (typeof value === 'boolean') return "<class 'bool'>";
  if (typeof value === 'number') return Number.isInteger(value) ? "<class 'int'>" : "<class 'float'>";
  if (typeof value === 'string') return "<class 'str'>";
  return Array.isArray(value) ? "<class 'list'>" : "<class 'dict'>";
}

function versionsInformation(): Record<string, Record<string, string>> {
  return {
    'Salt Version': { Salt: SALTMQ_VERSION },
    'Dependency Versions': { Node: process.versions.node, OpenSSL: process.versions.openssl ?? '', V8: process.versions.v8 },
    'System Versions': { system: process.platform === 'linux' ? 'Linux' : process.platform, machine: process.arch, release: process.release.name },
  };
}

// Salt's versions_report layout: section headers, then keys right-aligned to the widest key.
function versionsReport(): string {
  const info = versionsInformation();
  const width = Math.max(...Object.values(info).flatMap((s) => Object.keys(s).map((k) => k.length)));
  const lines: string[] = [];
  for (const [section, entries] of Object.entries(info)) {
    lines.push(`${section}:`, ...Object.entries(entries).map(([k, v]) => `${k.padStart(width + 4)}: ${v}`), '');
  }
  return lines.join('\n').trimEnd();
}

function randomHash(ctx: CallContext, size: unknown, hashType: unknown): string {
  const max = size === undefined || size === null ? 9999999999 : pyInt(size, 'size');
  if (max < 1) throw new InvocationError('size must be at least 1');
  const algo = pyStr(hashType ?? ctx.opts.hash_type ?? 'sha256');
  // randomInt's range is capped at 2**48; Salt's default (9999999999) fits
  const value = randomInt(1, Math.min(max, 2 ** 48 - 1) + 1);
  return createHash(algo).update(String(value)).digest('hex');
}

export const test = {
  name: 'test',
  functions: {
    ping: fn([], 'Used to make sure the minion is up and responding. Not an ICMP ping. Returns True.', () => true),
    echo: fn(['text'], 'Return a string (or whatever was passed): used for testing the connection.', (_ctx, a) => a.text, { required: 1 }),
    sleep: fn(['length'], 'Sleep for the given number of seconds, then return True. A kill_job ends it early.', async (ctx, a) => {
      await pause(ctx, pyInt(a.length, 'length'));
      return true;
    }, { required: 1 }),
    rand_sleep: fn(['max'], 'Sleep for a random number of seconds between 0 and max (default 60), then return True.', async (ctx, a) => {
      await pause(ctx, randomInt(0, pyInt(a.max ?? 60, 'max') + 1));
      return true;
    }),
    version: fn([], 'Return the version of saltmq on the minion.', () => SALTMQ_VERSION),
    versions_information: fn([], 'Report the versions of saltmq and of the software it runs on.', () => versionsInformation()),
    versions_report: fn([], 'Return a text report of the versions of saltmq and its runtime.', () => versionsReport()),
    versions: fn([], 'Alias of test.versions_report.', () => versionsReport()),
    get_opts: fn([], 'Return the configuration options of this minion.', (ctx) => ctx.opts),
    opts_pkg: fn([], "Return the minion's options with its grains under 'grains'.", (ctx) => ({ ...ctx.opts, grains: ctx.grains })),
    cross_test: fn(['func', 'args'], 'Call another execution function with a list of positional args: test.cross_test file.gid_to_group [0]', (ctx, a) =>
      ctx.call(pyStr(a.func), Array.isArray(a.args) ? a.args : a.args === undefined || a.args === null ? [] : [a.args]), { required: 1 }),
    kwarg: fn([], 'Return the keyword arguments passed in.', (_ctx, a) => a._kwargs, { anyKwargs: true }),
    arg: fn([], 'Return {"args": [...], "kwargs": {...}}: the positional and keyword arguments passed in.',
      (_ctx, a) => ({ args: a._args, kwargs: a._kwargs }), { varargs: true, anyKwargs: true }),
    arg_type: fn([], 'Return the Python type name of each argument passed in.', (_ctx, a) => ({
      args: a._args.map(pyType),
      kwargs: Object.fromEntries(Object.entries(a._kwargs).map(([k, v]) => [k, pyType(v)])),
    }), { varargs: true, anyKwargs: true }),
    fib: fn(['num'], 'Return [the num-th Fibonacci number, the seconds it took to compute]. Used for performance tests.', (_ctx, a) => {
      const num = pyInt(a.num, 'num');
      if (num < 0) throw new InvocationError('Negative number is not allowed!');
      const start = process.hrtime.bigint();
      let [x, y] = [0n, 1n];
      for (let i = 0; i < num; i++) [x, y] = [y, x + y];
      return [Number(x), elapsed(start)];
    }, { required: 1 }),
    collatz: fn(['start'], 'Return [the Collatz sequence from start, the seconds it took to compute].', (_ctx, a) => {
      let n = pyInt(a.start, 'start');
      if (n < 1) throw new InvocationError('start must be a positive integer');
      const begin = process.hrtime.bigint();
      const steps: number[] = [];
      for (; n !== 1; n = n % 2 === 0 ? n / 2 : n * 3 + 1) steps.push(n);
      return [steps, elapsed(begin)];
    }, { required: 1 }),
    outputter: fn(['data'], 'Return the data passed in, to test an outputter.', (_ctx, a) => a.data, { required: 1 }),
    retcode: fn(['code'], 'Set the job retcode to code (default 42) and return True.', (ctx, a) => {
      ctx.retcode = a.code === undefined ? 42 : pyInt(a.code, 'code');
      return true;
    }),
    exception: fn(['message'], "Raise an exception with the given message (default 'Test Exception').", (_ctx, a) => {
      // Salt raises a bare Exception here on purpose: this function exists to test the error path
      throw new Error(pyStr(a.message ?? 'Test Exception'));
    }),
    stack: fn([], 'Return the current stack trace.', () => new Error('stack').stack?.split('\n').slice(1).join('\n') ?? ''),
    assertion: fn(['assertion'], 'Assert that the argument is true; return None, or raise.', (_ctx, a) => {
      if (!asBool(a.assertion, false)) throw new Error('AssertionError');
      return null;
    }, { required: 1 }),
    try: fn(['module', 'return_try_exception'], 'Call another function with the given kwargs; on error return None (or the error text).', async (ctx, a) => {
      try {
        return await ctx.call(pyStr(a.module), [], a._kwargs);
      } catch (error) {
        return asBool(a.return_try_exception, false) ? String(error instanceof Error ? error.message : error) : null;
      }
    }, { required: 1, anyKwargs: true }),
    random_hash: fn(['size', 'hash_type'], 'Return a hash of a random number between 1 and size (hash_type defaults to the hash_type option, sha256).',
      (ctx, a) => randomHash(ctx, a.size, a.hash_type)),
    rand_str: fn(['size', 'hash_type'], 'Alias of test.random_hash.', (ctx, a) => randomHash(ctx, a.size, a.hash_type)),
    true: fn([], 'Always return True.', () => true),
    false: fn([], 'Always return False.', () => false),
  } satisfies Record<string, ExecutionFunction>,
} satisfies Module<ExecutionFunction>;
