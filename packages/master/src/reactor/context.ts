import type { Logger } from '@saltmq/common';
import type { MasterConfig } from '../config.js';
import type { RunnerService } from '../runners/runner.js';

/**
 * What a reactor template sees besides `tag` and `data`: `salt` (master-side functions: Salt's
 * MasterMinion offers environ.get, log.* and the runners), `opts` (the master config), `saltenv`,
 * and empty `grains`/`pillar` (Salt documents that they are not available in the reactor).
 */
export function reactorContext(config: Readonly<MasterConfig>, runners: RunnerService, log: Logger): Record<string, unknown> {
  const kwargsOf = (args: unknown[]): { positional: unknown[]; kwargs: Record<string, unknown> } => {
    const last = args.at(-1);
    if (last && typeof last === 'object' && !Array.isArray(last)) return { positional: args.slice(0, -1), kwargs: last as Record<string, unknown> };
    return { positional: args, kwargs: {} };
  };
  const salt: Record<string, (...args: unknown[]) => unknown> = {
    'environ.get': (key: unknown, fallback: unknown = '') => process.env[String(key)] ?? fallback,
    'test.ping': () => true,
    'log.debug': (message: unknown) => log.debug('reactor template', { message: String(message) }),
    'log.info': (message: unknown) => log.info('reactor template', { message: String(message) }),
    'log.warning': (message: unknown) => log.warn('reactor template', { message: String(message) }),
    'log.error': (message: unknown) => log.error('reactor template', { message: String(message) }),
  };
  for (const name of runners.names()) {
    salt[name] = async (...args: unknown[]) => {
      const { positional, kwargs } = kwargsOf(args);
      return (await runners.call(name, positional, kwargs, 'Reactor')).return;
    };
  }
  return { salt, opts: { ...config }, saltenv: 'base', grains: {}, pillar: {} };
}
