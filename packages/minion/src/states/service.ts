/**
 * Salt's service states (salt/states/service.py) over systemd's systemctl, with Salt's comments:
 * running, dead, enabled, disabled, and mod_watch (restart, or reload with `reload: True`).
 */
import { stat } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import type { StateFunction, StateResult } from '@saltmq/common';
import { execArgv, type StateDeps } from './deps.js';
import { asBool, newRet } from './util.js';

export const NO_SYSTEMD = 'service states need systemd, which is not running on this machine';
const UNIT_TYPES = ['.service', '.socket', '.device', '.mount', '.automount', '.swap', '.target', '.path', '.timer'];

/** salt.utils.systemd.booted: systemd is PID 1 when /run/systemd/system is a directory. */
export async function systemdBooted(): Promise<boolean> {
  return (await stat('/run/systemd/system').catch(() => undefined))?.isDirectory() ?? false;
}

/** The systemctl calls Salt's systemd_service module makes. */
function systemctl(deps: StateDeps) {
  const unit = (name: string) => (UNIT_TYPES.some((t) => name.endsWith(t)) ? name : `${name}.service`);
  const ask = async (...argv: string[]) => execArgv(deps, ['systemctl', ...argv], { quiet: true, ignoreRetcode: true });
  // start/stop/restart/reload raise with systemctl's stderr, so a masked unit says why it failed
  const act = async (verb: string, name: string, noBlock: boolean) => {
    const res = await execArgv(deps, ['systemctl', ...(noBlock ? ['--no-block'] : []), verb, unit(name)], { ignoreRetcode: true });
    if (res.retcode !== 0) throw new Error(res.stderr.trim() || `systemctl ${verb} ${unit(name)} failed`);
    return true;
  };
  return {
    available: async (name: string) => !/^LoadState=not-found$/m.test((await ask('show', '--property=LoadState', unit(name))).stdout),
    status: async (name: string) => (await ask('is-active', unit(name))).retcode === 0,
    enabled: async (name: string) => (await ask('is-enabled', unit(name))).retcode === 0,
    enable: async (name: string) => (await execArgv(deps, ['systemctl', 'enable', unit(name)], { ignoreRetcode: true })).retcode === 0,
    disable: async (name: string) => (await execArgv(deps, ['systemctl', 'disable', unit(name)], { ignoreRetcode: true })).retcode === 0,
    act,
  };
}

type Ctl = ReturnType<typeof systemctl>;
type Partial3 = Partial<Pick<StateResult, 'result' | 'comment' | 'changes'>>;

/** Salt's `_enable`/`_disable`: merged into the caller's return with Object.assign, as Salt's dict.update. */
async function toggle(ctl: Ctl, name: string, on: boolean, started: boolean | null, test: boolean, result = true): Promise<Partial3> {
  const ret: Partial3 = {};
  if (!(await ctl.available(name))) return { result: on ? false : true, comment: `The named service ${name} is not available` };
  ret.result = result;
  const verb = on ? 'enabled' : 'disabled';
  const state = started === true ? 'is running' : started === null ? 'is in the desired state' : 'is dead';
  const already = on ? await ctl.enabled(name) : !(await ctl.enabled(name));
  if (already) {
    if (started === null) ret.changes = {};
    ret.comment = `Service ${name} is already ${verb}, and ${state}`;
    return ret;
  }
  if (test) return { result: null, comment: `Service ${name} set to be ${on ? 'enabled' : 'disabled'}` };
  if (await (on ? ctl.enable(name) : ctl.disable(name))) {
    ret.changes = {};
    const now = on ? await ctl.enabled(name) : !(await ctl.enabled(name));
    if (now) ret.changes[name] = true;
    ret.comment = `Service ${name} has been ${verb}, and ${state}`;
    return ret;
  }
  ret.result = false;
  const tail = started === true ? (on ? 'but the service is running' : 'and is running') : started === null ? 'but the service was already running' : 'and the service is dead';
  ret.comment = `Failed when setting service ${name} to ${on ? '' : 'not '}start at boot, ${tail}`;
  return ret;
}

export function serviceStates(deps: StateDeps): Record<string, StateFunction> {
  const ctl = systemctl(deps);
  const guard = async (name: string, args: Record<string, unknown>): Promise<StateResult | undefined> => {
    if (!(await systemdBooted())) return { ...newRet(name, false), comment: NO_SYSTEMD };
    if ('enabled' in args) return { ...newRet(name, false), comment: `Service ${name} uses non-existent option "enabled".  Perhaps "enable" option was intended?` };
    return undefined;
  };
  const enableArg = (args: Record<string, unknown>) => (args.enable === undefined || args.enable === null ? null : asBool(args.enable, false));

  const runOrKill = (wantRunning: boolean): StateFunction => async (name, args, ctx) => {
    const early = await guard(name, args);
    if (early) return early;
    const ret = newRet(name);
    const enable = enableArg(args);
    if (!(await ctl.available(name))) {
      if (ctx.test) return { ...ret, result: null, comment: `Service ${name} not present; if created in this state run, it would have been ${wantRunning ? 'started' : 'stopped'}` };
      return wantRunning ? { ...ret, result: false, comment: `The named service ${name} is not available` } : ret;
    }
    const before = await ctl.status(name);
    const beforeEnabled = await ctl.enabled(name);
    if (before === wantRunning) {
      ret.comment = `The service ${name} is already ${wantRunning ? 'running' : 'dead'}`;
      if (enable === true && !beforeEnabled) Object.assign(ret, await toggle(ctl, name, true, null, ctx.test));
      else if (enable === false && beforeEnabled) Object.assign(ret, await toggle(ctl, name, false, null, ctx.test));
      return ret;
    }
    if (ctx.test) return { ...ret, result: null, comment: wantRunning ? `Service ${name} is set to start` : `Service ${name} is set to be killed` };
    const failed = wantRunning ? `Service ${name} failed to start` : `Service ${name} failed to die`;
    try {
      await ctl.act(wantRunning ? 'start' : 'stop', name, asBool(args.no_block, false));
    } catch (error) {
      if (wantRunning) return { ...ret, result: false, comment: (error as Error).message };
      ret.result = false;
      ret.comment = failed;
      if (enable !== null) Object.assign(ret, await toggle(ctl, name, enable, true, false, false));
      return ret;
    }
    const delay = Number(args.init_delay ?? 0);
    if (delay > 0) await sleep(delay * 1000, undefined, { signal: deps.signal });
    const after = await ctl.status(name);
    if ((beforeEnabled !== (await ctl.enabled(name)) || before !== after) && Object.keys(ret.changes).length === 0) ret.changes[name] = after;
    const ok = after === wantRunning;
    ret.result = ok;
    ret.comment = ok ? (wantRunning ? `Started service ${name}` : `Service ${name} was killed`) : failed;
    if (enable !== null) Object.assign(ret, await toggle(ctl, name, enable, after, false, ok));
    if (delay > 0 && wantRunning) ret.comment = `${ret.comment}\nDelayed return for ${delay} seconds`;
    return ret;
  };

  const enabledState = (on: boolean): StateFunction => async (name, args, ctx) => {
    const early = await guard(name, args);
    if (early) return early;
    const ret = Object.assign(newRet(name), await toggle(ctl, name, on, null, ctx.test));
    if (on && ctx.test && ret.comment === `The named service ${name} is not available`) {
      return { ...ret, result: null, comment: `Service ${name} not present; if created in this state run, it would have been enabled` };
    }
    return ret;
  };

  const modWatch: StateFunction = async (name, args, ctx) => {
    if (!(await systemdBooted())) return { ...newRet(name, false), comment: NO_SYSTEMD };
    const sfun = String(args.sfun ?? '');
    const running = await ctl.status(name);
    let verb: string;
    let past: string;
    if (sfun === 'dead') {
      if (!running) return { ...newRet(name), comment: 'Service is already stopped' };
      [verb, past] = ['stop', 'stopped'];
    } else if (sfun === 'running') {
      verb = running ? (asBool(args.reload, false) ? 'reload' : 'restart') : 'start';
      past = `${verb}ed`;
    } else {
      return { ...newRet(name, false), comment: `Unable to trigger watch for service.${sfun}` };
    }
    if (ctx.test) return { ...newRet(name, null), comment: `Service is set to be ${past}` };
    // Salt stops a service before starting it from a watch, in case it is half up
    if (verb === 'start') await ctl.act('stop', name, false).catch(() => false);
    let result: boolean;
    try {
      result = await ctl.act(verb, name, asBool(args.no_block, false));
    } catch (error) {
      return { ...newRet(name, false), comment: (error as Error).message };
    }
    const delay = Number(args.init_delay ?? 0);
    if (delay > 0) await sleep(delay * 1000, undefined, { signal: deps.signal });
    return { name, changes: { [name]: result }, result, comment: result ? `Service ${past}` : `Failed to ${verb} the service` };
  };

  return { running: runOrKill(true), dead: runOrKill(false), enabled: enabledState(true), disabled: enabledState(false), mod_watch: modWatch };
}
