/**
 * One catalogue of error codes: every expected failure in saltmq throws a CodedError subclass whose
 * `code` is stable, so tests and callers branch on the code, never on the wording.
 */
export type ErrorCode =
  | 'ERR_CONFIG_INVALID'
  | 'ERR_BAD_MESSAGE'
  | 'ERR_BAD_ID'
  | 'ERR_AUTH_REJECTED'
  | 'ERR_AUTH_FAILED'
  | 'ERR_AUTH_PENDING'
  | 'ERR_MASTER_FINGER'
  | 'ERR_UNKNOWN_FUNCTION'
  | 'ERR_DUPLICATE_FUNCTION'
  | 'ERR_INVOCATION'
  | 'ERR_JOB_REFUSED'
  | 'ERR_JOB_TIMEOUT'
  | 'ERR_TARGET'
  | 'ERR_TEMPLATE'
  | 'ERR_FILE_SERVER'
  | 'ERR_NOT_CONNECTED'
  | 'ERR_STORE';

export class CodedError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
  /** What crosses the wire in a return or a reply: no stack, no cause. */
  toWire(): { code: ErrorCode; message: string } {
    return { code: this.code, message: this.message };
  }
}

/** A config file holds a known option with a bad value; lists every problem at once. */
export class ConfigError extends CodedError {
  constructor(readonly problems: readonly string[], readonly source: string) {
    super('ERR_CONFIG_INVALID', `${source}: ${problems.join('; ')}`);
  }
}

/** A payload on an allowed topic did not have the expected shape. */
export class BadMessageError extends CodedError {
  constructor(message: string, options?: ErrorOptions) {
    super('ERR_BAD_MESSAGE', message, options);
  }
}

/** A minion id that could escape a directory or a topic level. */
export class BadIdError extends CodedError {
  constructor(readonly id: string, reason: string) {
    super('ERR_BAD_ID', `invalid minion id ${JSON.stringify(id)}: ${reason}`);
  }
}

/** Salt's message for a function the loader does not have. */
export class UnknownFunctionError extends CodedError {
  constructor(readonly fun: string, reason?: string) {
    super('ERR_UNKNOWN_FUNCTION', reason ? `'${fun}' is not available: ${reason}` : `'${fun}' is not available.`);
  }
}

/** Bad arguments to an execution, runner or wheel function (Salt's SaltInvocationError). */
export class InvocationError extends CodedError {
  constructor(message: string) {
    super('ERR_INVOCATION', message);
  }
}

/** Reads the message of anything thrown, for logs and error events. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
