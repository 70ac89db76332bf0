import { CodedError } from '@saltmq/common';

/**
 * Salt's CommandExecutionError: a command could not be started as asked (a missing cwd, shell or user,
 * a bad umask). The common catalogue has no dedicated code yet, and every such failure is caused by the
 * arguments of the call, so it reports ERR_INVOCATION like Salt's SaltInvocationError.
 */
export class CommandExecutionError extends CodedError {
  constructor(message: string, options?: ErrorOptions) {
    super('ERR_INVOCATION', message, options);
  }
}
