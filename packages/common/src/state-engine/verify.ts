/**
 * Salt's `State.verify_high` (3006): structural checks on high data before it is compiled. Every
 * problem is reported; the messages are Salt's.
 */
import { isRecord, pyStr } from './py.js';

/** The requisites Salt checks the shape of here (the others are trusted until run time). */
const CHECKED_REQUISITES = new Set(['require', 'watch', 'prereq', 'onchanges']);

export function verifyHigh(high: unknown): string[] {
  if (!isRecord(high)) return ['High data is not a dictionary and is invalid'];
  const errors: string[] = [];
  // ID → {state, <required id>: <requisite key>}: enough to spot two states requiring each other.
  const reqs = new Map<string, Map<string, string>>();
  for (const [name, body] of Object.entries(high)) {
    if (name.startsWith('__')) continue;
    if (!isRecord(body)) {
      errors.push(`The type ${name} in ${pyStr(body)} is not formatted as a dictionary`);
      continue;
    }
    const sls = pyStr(body.__sls__);
    for (const [state, run] of Object.entries(body)) {
      if (state.startsWith('__')) continue;
      if (run === null || run === undefined) {
        errors.push(
          `ID '${name}' in SLS '${sls}' contains a short declaration (${state}) with a trailing colon. ` +
            'When not passing any arguments to a state, the colon must be omitted.',
        );
        continue;
      }
      if (!Array.isArray(run)) {
        errors.push(`State '${name}' in SLS '${sls}' is not formed as a list`);
        continue;
      }
      let funs = state.includes('.') ? 1 : 0;
      for (const arg of run) {
        if (typeof arg === 'string') {
          funs += 1;
          if (arg.trim().includes(' ')) {
            errors.push(
              `The function "${arg}" in state "${name}" in SLS "${sls}" has whitespace, a function with ` +
                'whitespace is not supported, perhaps this is an argument that is missing a ":"',
            );
          }
          continue;
        }
        if (!isRecord(arg)) continue;
        const argfirst = Object.keys(arg)[0] ?? '';
        const value = arg[argfirst];
        if (argfirst === 'names' && !Array.isArray(value)) {
          errors.push(`The 'names' argument in state '${name}' in SLS '${sls}' needs to be formed as a list`);
        }
        if (!CHECKED_REQUISITES.has(argfirst)) continue;
        if (!Array.isArray(value)) {
          errors.push(`The ${argfirst} statement in state '${name}' in SLS '${sls}' needs to be formed as a list`);
        } else {
          const mine = new Map<string, string>([['state', state]]);
          reqs.set(name, mine);
          for (const raw of value) {
            const req = typeof raw === 'string' ? { id: raw } : raw;
            if (!isRecord(req)) {
              errors.push(`Requisite declaration ${pyStr(req)} in SLS ${sls} is not formed as a single key dictionary`);
              continue;
            }
            const reqKey = Object.keys(req)[0] ?? '';
            const reqVal = req[reqKey];
            if (reqKey.includes('.')) {
              errors.push(
                `Invalid requisite type '${reqKey}' in state '${name}', in SLS '${sls}'. Requisite types must ` +
                  `not contain dots, did you mean '${reqKey.slice(0, reqKey.indexOf('.'))}'?`,
              );
            }
            if (Array.isArray(reqVal) || isRecord(reqVal)) {
              errors.push(`Illegal requisite "${pyStr(reqVal)}", please check your syntax.\n`);
              continue;
            }
            const target = pyStr(reqVal);
            mine.set(target, reqKey);
            const theirs = reqs.get(target);
            if (theirs?.get(name) === state && theirs.get('state') === reqKey) {
              errors.push(`A recursive requisite was found, SLS "${sls}" ID "${name}" ID "${target}"`);
            }
          }
        }
        if (Object.keys(arg).length !== 1) {
          errors.push(`Multiple dictionaries defined in argument of state '${name}' in SLS '${sls}'`);
        }
      }
      if (funs === 0) {
        if (state === 'require' || state === 'watch') continue;
        errors.push(`No function declared in state '${state}' in SLS '${sls}'`);
      } else if (funs > 1) {
        errors.push(`Too many functions declared in state '${state}' in SLS '${sls}'`);
      }
    }
  }
  return errors;
}
