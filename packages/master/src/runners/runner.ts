import { InvocationError, tags, type Logger } from '@saltmq/common';
import type { EventBus } from '../events/event-bus.js';
import type { JobService } from '../jobs/job-service.js';

/** A runner function with its parameter names, so positional args and kwargs bind as in Python. */
export interface RunnerFunction {
  params: readonly string[];
  run(args: Record<string, unknown>): Promise<unknown>;
}

/**
 * Runs saltmq-run functions on the master and fires Salt's salt/run/<jid>/new and .../ret around
 * each call, with the calling user (`Reactor` when the reactor made the call).
 */
export class RunnerService {
  constructor(
    readonly functions: Record<string, RunnerFunction>,
    readonly jobs: JobService,
    readonly events: EventBus,
    readonly log: Logger,
  ) {}

  names(): string[] {
    return Object.keys(this.functions).sort();
  }

  async call(fun: string, arg: unknown[], kwarg: Record<string, unknown>, user: string): Promise<{ jid: string; return: unknown; success: boolean }> {
    const impl = this.functions[fun];
    if (!impl) throw new InvocationError(`'${fun}' is not available.`);
    const bound: Record<string, unknown> = {};
    arg.forEach((value, index) => {
      const name = impl.params[index];
      if (name === undefined) throw new InvocationError(`${fun} takes at most ${impl.params.length} positional arguments`);
      bound[name] = value;
    });
    Object.assign(bound, kwarg);
    const jid = this.jobs.prepJid();
    const funArgs = Object.keys(kwarg).length ? [...arg, kwarg] : [...arg];
    const base = { fun: `runner.${fun}`, jid, user, fun_args: funArgs };
    await this.events.fire(tags.runNew(jid), base);
    let value: unknown;
    let success = true;
    try {
      value = await impl.run(bound);
      // Salt: a runner return carrying a non-zero retcode (orchestrate's failed step) is a failure
      const retcode = (value as { retcode?: unknown } | null)?.retcode;
      if (typeof retcode === 'number' && retcode !== 0) success = false;
    } catch (error) {
      success = false;
      value = `Exception occurred in runner ${fun}: ${error instanceof Error ? error.message : String(error)}`;
      if (!(error instanceof InvocationError)) this.log.error('runner failed', { fun, error });
    }
    await this.events.fire(tags.runReturn(jid), { ...base, return: value ?? null, success });
    return { jid, return: value ?? null, success };
  }
}
