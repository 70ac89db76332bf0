import type { Logger } from '@saltmq/common';

/**
 * Waits for SIGTERM or SIGINT, then stops the service. A stop that hangs past the grace period ends
 * the process anyway, so `systemctl stop` and Ctrl-C always return.
 */
export function stopOnSignals(stop: () => Promise<void>, log: Logger, graceMs = 5000): Promise<void> {
  return new Promise((resolve) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (stopping) return;
      stopping = true;
      log.info('stopping', { signal });
      const timer = setTimeout(() => {
        log.warn('stop took too long; exiting anyway', { graceMs });
        process.exit(1);
      }, graceMs);
      timer.unref();
      stop().then(resolve, (error: unknown) => {
        log.error('error while stopping', { error });
        resolve();
      });
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
}
