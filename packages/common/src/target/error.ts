import { CodedError } from '../errors.js';

/**
 * A target that can never mean what its author intended: an unknown target type, a compound
 * expression Salt could not evaluate, a regular expression or IP network that does not parse.
 * Salt logs these and matches nothing; saltmq refuses them, so a bad target is reported before
 * anything is published.
 */
export class TargetError extends CodedError {
  constructor(
    readonly target: string,
    readonly reason: string,
  ) {
    super('ERR_TARGET', `invalid target ${JSON.stringify(target)}: ${reason}`);
  }
}
