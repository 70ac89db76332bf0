/**
 * Salt's `test` state module (salt/states/test.py): states with fixed outcomes, for trying out
 * requisites, ordering and output without touching the system.
 */
import type { StateFunction, StateResult } from './types.js';
import { genTag } from './types.js';
import { InvocationError } from '../errors.js';
import { isRecord } from './py.js';

const CHANGES = { testing: { old: 'Unchanged', new: 'Something pretended to change' } };
const changeData = () => structuredClone(CHANGES);

const succeedWithoutChanges: StateFunction = async (name, args) => ({
  name,
  changes: {},
  result: true,
  comment: typeof args.comment === 'string' ? args.comment : 'Success!',
});

/** The functions of Salt's `test` state module, by function name. */
export const testStates: Readonly<Record<string, StateFunction>> = {
  /** A state that does nothing; any arguments are accepted (Salt passes none of them on). */
  nop: async (name, _args, ctx) => succeedWithoutChanges(name, {}, ctx),

  succeed_without_changes: succeedWithoutChanges,

  async fail_without_changes(name, args, ctx) {
    if (ctx.test) return { name, changes: {}, result: false, comment: "If we weren't testing, this would be a failure!" };
    return { name, changes: {}, result: false, comment: typeof args.comment === 'string' ? args.comment : 'Failure!' };
  },

  async succeed_with_changes(name, args, ctx) {
    if (ctx.test) {
      return { name, changes: changeData(), result: null, comment: "If we weren't testing, this would be successful with changes" };
    }
    return { name, changes: changeData(), result: true, comment: typeof args.comment === 'string' ? args.comment : 'Success!' };
  },

  async fail_with_changes(name, args, ctx) {
    if (ctx.test) {
      return { name, changes: changeData(), result: null, comment: "If we weren't testing, this would be failed with changes" };
    }
    return { name, changes: changeData(), result: false, comment: typeof args.comment === 'string' ? args.comment : 'Failure!' };
  },

  /** `changes` and `result` take True, False or 'Random'; `warnings` a string or a list. */
  async configurable_test_state(name, args, ctx) {
    const changes = args.changes ?? true;
    const result = args.result ?? true;
    const comment = typeof args.comment === 'string' ? args.comment : '';
    const ret: StateResult = { name, changes: {}, result: false, comment };
    if (changes === true || (isRandom(changes) && Math.random() < 0.5)) ret.changes = changeData();
    else if (changes !== false && !isRandom(changes)) {
      throw new InvocationError("You have specified the state option 'changes' with invalid arguments. It must be either True, False, or 'Random'");
    }
    if (typeof result === 'boolean') ret.result = result;
    else if (isRandom(result)) ret.result = Math.random() < 0.5;
    else {
      throw new InvocationError("You have specified the state option 'result' with invalid arguments. It must be either True, False, or 'Random'");
    }
    const warnings = args.warnings;
    if (typeof warnings === 'string') ret.warnings = [warnings];
    else if (Array.isArray(warnings)) ret.warnings = warnings.map(String);
    else if (warnings !== undefined && warnings !== null) {
      throw new InvocationError("You have specified the state option 'warnings' with invalid arguments. It must be a string or a list of strings");
    }
    if (ctx.test) {
      ret.result = changes === false ? true : null;
      ret.comment = comment || 'This is a test';
    }
    return ret;
  },

  /** Fired by a watch: lists the watched states that changed, unless result/comment/changes are given. */
  async mod_watch(name, args, ctx) {
    const withChanges: string[] = [];
    const reqs = ctx.chunk.__reqs__;
    const watched = isRecord(reqs) && Array.isArray(reqs.watch) ? reqs.watch : [];
    for (const req of watched) {
      if (!isRecord(req)) continue;
      const ret = ctx.running[genTag(req as Parameters<typeof genTag>[0])];
      if (ret && Object.keys(ret.changes).length > 0) withChanges.push(`${String(req.state)}: ${String(req.__id__)}`);
    }
    return {
      name,
      result: typeof args.result === 'boolean' || args.result === null ? (args.result as boolean | null) : true,
      comment: typeof args.comment === 'string' ? args.comment : 'Watch statement fired.',
      changes: isRecord(args.changes) ? args.changes : { 'Requisites with changes': withChanges },
    };
  },
};

function isRandom(value: unknown): boolean {
  return String(value).toLowerCase() === 'random';
}
