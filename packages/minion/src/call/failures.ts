import { messageOf } from '@saltmq/common';
import type { MinionConfig } from '../config.js';
import { ConnectRefused } from '../link.js';
import { MasterFingerError, MasterKeyChangedError } from '../master-pin.js';
import { KeyPendingError } from './call-session.js';

/** What saltmq-call prints on stderr when it cannot use the master, and its exit code. */
export interface Failure {
  message: string;
  code: number;
}

/** Salt's exit codes: 2 for a key not accepted (salt-call's), 77 rejected, 42 fingerprint mismatch. */
export function connectFailure(error: unknown, config: Readonly<MinionConfig>): Failure {
  const id = config.id;
  if (error instanceof KeyPendingError) {
    return {
      code: 2,
      message:
        'Minion failed to authenticate with the master, has the minion key been accepted?\n' +
        `The master holds the key of '${id}' as pending; accept it on the master with: saltmq-key -a ${id}`,
    };
  }
  if (error instanceof ConnectRefused && error.returnCode === 5) {
    return {
      code: 77,
      message:
        "The Salt Master has rejected this minion's public key!\n" +
        `To repair this issue, delete the key of '${id}' on the master (saltmq-key -d ${id}), run saltmq-call again and accept the key (saltmq-key -a ${id}).`,
    };
  }
  if (error instanceof ConnectRefused && error.returnCode === 2) return { code: 2, message: `The master refused the minion id '${id}': ${error.message}` };
  if (error instanceof ConnectRefused && error.returnCode === 3) return { code: 2, message: `The master cannot take this minion now: ${error.message}` };
  if (error instanceof ConnectRefused) return { code: 2, message: `The master refused this minion's credentials (is the clock right?): ${error.message}` };
  if (error instanceof MasterFingerError) return { code: 42, message: error.message };
  if (error instanceof MasterKeyChangedError) return { code: 2, message: error.message };
  return {
    code: 2,
    message:
      `Cannot reach the master at ${config.master}:${config.master_port}: ${messageOf(error)}\n` +
      'Is saltmq-master running there? To run without a master, use --local (masterless: file_roots and pillar_roots from the minion config).',
  };
}
