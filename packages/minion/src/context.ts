import type { Logger } from '@saltmq/common';
import { bindArgs, type CallContext, type ExecutionFunction, type Grains, type Registry } from './loader.js';

/** What every call context of one process shares: the agent's, or saltmq-call's. */
export interface ContextBase {
  id: string;
  grains: Grains;
  opts: Readonly<Record<string, unknown>>;
  log: Logger;
  registry(): Registry<ExecutionFunction>;
  fireEvent(tag: string, data: unknown): Promise<void>;
  request(method: string, params: Record<string, unknown>): Promise<unknown>;
}

/** The context of a call: a job's top-level call, or a nested one through ctx.call. */
export function makeContext(base: ContextBase, jid: string | undefined, signal: AbortSignal, fromJob: boolean): CallContext {
  return {
    id: base.id,
    grains: base.grains,
    opts: base.opts,
    log: jid ? base.log.child({ jid }) : base.log,
    jid,
    fromJob,
    signal,
    retcode: undefined,
    call: async (fun, args = [], kwargs = {}) => {
      const impl = base.registry().get(fun);
      return impl.run(makeContext(base, jid, signal, false), bindArgs(fun, impl, args, kwargs));
    },
    fireEvent: (tag, data) => base.fireEvent(tag, data),
    request: (method, params) => base.request(method, params),
  };
}
