import { CodedError } from '../errors.js';

/**
 * The file server refused a request: a path that could leave file_roots, an unknown saltenv. Salt
 * answers such paths with a silent "not found"; saltmq names the refusal, so a probing minion shows up
 * in the master's log and a mistyped saltenv is not mistaken for a missing file (CVE-2020-11652).
 */
export class FileServerError extends CodedError {
  constructor(message: string, options?: ErrorOptions) {
    super('ERR_FILE_SERVER', message, options);
  }
}
