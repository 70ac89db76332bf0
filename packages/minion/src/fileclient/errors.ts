import { CodedError } from '@saltmq/common';

/**
 * A salt:// fetch failed: a path the minion will not ask for or cache, a refusal from the master's file
 * server, or a file that kept changing during transfer. The code is the file server's, so a caller
 * handles the master's refusals and the minion's own the same way.
 */
export class FileClientError extends CodedError {
  constructor(message: string, options?: ErrorOptions) {
    super('ERR_FILE_SERVER', message, options);
  }
}
