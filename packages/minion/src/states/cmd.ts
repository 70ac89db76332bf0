/**
 * Salt's cmd state module (salt/states/cmd.py): run, wait, script and the watch hook. Commands go
 * through the cmd.run_all / cmd.script execution functions, so process handling lives in one place.
 * onlyif, unless and creates are evaluated by the state engine before these functions run.
 */
import type { StateFunction, StateResult } from '@saltmq/common';
import { shlexSplit } from '../process/shlex.js';
import { asCommandResult, type StateDeps } from './deps.js';
import { errText, isDir, isRecord, newRet, optStr, ownArgs, pyStr } from './util.js';

/** Arguments of cmd.run that are the state's own, not cmd.run_all's. */
const STATE_ONLY = new Set(['stateful', 'ignore_timeout', 'root', 'use_vt', 'sfun', 'source', 'args', 'template', 'context', 'defaults', 'password']);

function failout(state: StateResult, msg: string): StateResult {
  state.comment = msg;
  state.result = false;
  return state;
}

// Salt's _is_true: anything but yes/no/true/false/1/0 is an error
function isTrue(value: unknown): boolean {
  const text = String(value).toLowerCase();
  if (value && ['true', 'yes', '1'].includes(text)) return true;
  if (['false', 'no', '0'].includes(text)) return false;
  throw new Error(`Failed parsing boolean value: ${pyStr(value)}`);
}

/** Python's s[:idx], where a negative idx counts from the end. */
function pySliceTo(s: string, idx: number): string {
  return s.slice(0, idx < 0 ? Math.max(0, s.length + idx) : idx);
}

/**
 * Salt's `_reinterpreted_state` for `stateful`: the command's last output line says what changed,
 * as a JSON object or `key=value` pairs (shlex quoting); `changed` and `comment` are special.
 */
export function reinterpret(state: StateResult): StateResult {
  const ret = state.changes as Record<string, unknown>;
  state.changes = {};
  state.comment = '';
  const out = typeof ret.stdout === 'string' ? ret.stdout : '';
  if (!out) {
    if (ret.stderr) state.comment = String(ret.stderr);
    return state;
  }
  let isJson = false;
  let idx = -1;
  let data: Record<string, unknown> = {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(out);
  } catch {
    parsed = undefined;
  }
  if (parsed !== undefined) {
    if (!isRecord(parsed)) return failout(state, 'script JSON output must be a JSON object (e.g., {})!');
    data = parsed;
    isJson = true;
  } else {
    idx = out.trimEnd().lastIndexOf('\n');
    const line = idx !== -1 ? out.slice(idx + 1) : out;
    try {
      for (const item of shlexSplit(line)) {
        const parts = item.split('=');
        if (parts.length !== 2) throw new Error('not a name=value pair');
        data[parts[0]!] = parts[1];
      }
    } catch {
      failout(state, 'Failed parsing script output! Stdout must be JSON or a line of name=value pairs.');
      Object.assign(state.changes, ret);
      return state;
    }
  }
  const changed = isTrue(data.changed ?? 'no');
  if ('comment' in data) {
    state.comment = String(data.comment);
    delete data.comment;
  }
  if (changed) {
    for (const [key, value] of Object.entries(ret)) if (!(key in data)) data[key] = value;
    data.stdout = isJson ? '' : pySliceTo(String(data.stdout ?? ''), idx);
    state.changes = data;
  }
  return state;
}

/** `stateful: True`, or `stateful: [{test_name: <command to run in test mode>}]`. */
function statefulOf(value: unknown): { stateful: boolean; testName: string | undefined } {
  if (Array.isArray(value)) {
    const first: unknown = value[0];
    const testName = isRecord(first) ? optStr(first.test_name) : undefined;
    return { stateful: true, testName };
  }
  return { stateful: value === true, testName: undefined };
}

function passThrough(args: Record<string, unknown>, runas: unknown): Record<string, unknown> {
  const kwargs: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(ownArgs(args))) if (!STATE_ONLY.has(key) && value !== undefined && value !== null) kwargs[key] = value;
  if (runas !== undefined && runas !== null) kwargs.runas = runas;
  return kwargs;
}

export function cmdStates(deps: StateDeps): Record<string, StateFunction> {
  const run: StateFunction = async (rawName, args, ctx) => {
    const { stateful, testName } = statefulOf(args.stateful);
    const name = ctx.test && testName ? testName : rawName;
    const ret = newRet(name, false);
    if (args.env !== undefined && args.env !== null && typeof args.env !== 'object') {
      ret.comment = "Invalidly-formatted 'env' parameter. See documentation.";
      return ret;
    }
    if (args.root !== undefined && args.root !== null) {
      ret.comment = 'cmd.run with root (chroot) is not supported by saltmq';
      return ret;
    }
    if (ctx.test && !testName) {
      ret.result = null;
      ret.comment = `Command "${name}" would have been executed`;
      return stateful ? reinterpret(ret) : ret;
    }
    const cwd = optStr(args.cwd);
    if (cwd && !(await isDir(cwd))) {
      ret.comment = `Desired working directory "${cwd}" is not available`;
      return ret;
    }
    let out;
    try {
      out = asCommandResult(await deps.call('cmd.run_all', [name], { ...passThrough(args, ctx.chunk.runas), python_shell: true }));
    } catch (error) {
      ret.comment = errText(error);
      return ret;
    }
    ret.changes = { ...out };
    ret.result = !out.retcode;
    ret.comment = `Command "${name}" run`;
    // ignore_timeout: a nohup-style command that outlives its timeout still counts as success
    if (args.ignore_timeout === true && out.retcode === 1 && out.stdout.includes('Timed out after')) {
      ret.changes.retcode = 0;
      ret.result = true;
    }
    const final = stateful ? reinterpret(ret) : ret;
    if (ctx.test && out.retcode === 0 && Object.keys(final.changes).length > 0) final.result = null;
    return final;
  };

  const wait: StateFunction = async (name) => ({ name, changes: {}, result: true, comment: '' });

  const script: StateFunction = async (name, args, ctx) => {
    const { stateful, testName } = statefulOf(args.stateful);
    const cmdName = ctx.test && testName ? testName : name;
    const ret = newRet(cmdName, false);
    if (args.env !== undefined && args.env !== null && typeof args.env !== 'object') {
      ret.comment = "Invalidly-formatted 'env' parameter. See documentation.";
      return ret;
    }
    const saltenv = typeof ctx.chunk.__env__ === 'string' ? ctx.chunk.__env__ : deps.saltenv;
    // Salt uses the name as the source when none is given; its first word, so `name: salt://x a b` works
    const source = optStr(args.source) ?? cmdName.split(' ')[0]!;
    const kwargs = passThrough(args, ctx.chunk.runas);
    if (args.args !== undefined && args.args !== null) kwargs.args = args.args;
    else if (cmdName.split(/\s+/).length > 1) kwargs.args = cmdName.slice(cmdName.indexOf(' ') + 1);
    if (args.template !== undefined && args.template !== null) kwargs.template = args.template;
    if (ctx.test && !testName) {
      ret.result = null;
      ret.comment = `Command '${cmdName}' would have been executed`;
      return stateful ? reinterpret(ret) : ret;
    }
    const cwd = optStr(args.cwd);
    if (cwd && !(await isDir(cwd))) {
      ret.comment = `Desired working directory "${cwd}" is not available`;
      return ret;
    }
    let out: Record<string, unknown>;
    try {
      const res = await deps.call('cmd.script', [source], { ...kwargs, saltenv });
      if (!isRecord(res)) throw new Error('cmd.script did not return a dict');
      out = res;
    } catch (error) {
      ret.comment = errText(error);
      return ret;
    }
    ret.changes = out;
    ret.result = !out.retcode;
    ret.comment = out.cache_error ? `Unable to cache script ${source} from saltenv '${saltenv}'` : `Command '${cmdName}' run`;
    const final = stateful ? reinterpret(ret) : ret;
    if (ctx.test && out.retcode === 0 && Object.keys(final.changes).length > 0) final.result = null;
    return final;
  };

  /** Salt's cmd.mod_watch: a watch fires the command of cmd.run/cmd.wait (or the script). */
  const modWatch: StateFunction = async (name, args, ctx) => {
    const sfun = String(args.sfun ?? '');
    const rest = { ...args, stateful: false };
    if (['wait', 'run', 'watch'].includes(sfun)) {
      const ret = await run(name, rest, ctx);
      return args.stateful ? reinterpret(ret) : ret;
    }
    if (['wait_script', 'script'].includes(sfun)) {
      const ret = await script(name, rest, ctx);
      return args.stateful ? reinterpret(ret) : ret;
    }
    return { name, changes: {}, result: false, comment: `cmd.${sfun} does not work with the watch requisite, please use cmd.wait or cmd.wait_script` };
  };

  return { run, wait, watch: wait, script, wait_script: wait, mod_watch: modWatch };
}
