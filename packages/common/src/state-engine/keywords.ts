/**
 * Salt's keyword sets from salt/state.py (3006). The engine consumes these itself, so they are not
 * passed to state functions as arguments (Salt's `format_call(..., expected_extra_kws=...)`).
 */

/** Requisites that name other states and are checked before a chunk runs. */
export const STATE_REQUISITE_KEYWORDS: ReadonlySet<string> = new Set([
  'onchanges',
  'onchanges_any',
  'onfail',
  'onfail_any',
  'onfail_all',
  'onfail_stop',
  'prereq',
  'prerequired',
  'watch',
  'watch_any',
  'require',
  'require_any',
  'listen',
]);

/** Inverse requisites, rewritten into the target's requisites at compile time. */
export const STATE_REQUISITE_IN_KEYWORDS: ReadonlySet<string> = new Set([
  'onchanges_in',
  'onfail_in',
  'prereq_in',
  'watch_in',
  'require_in',
  'listen_in',
]);

/** Global arguments the state system handles for every state. */
export const STATE_RUNTIME_KEYWORDS: ReadonlySet<string> = new Set([
  'fun',
  'state',
  'check_cmd',
  'failhard',
  'onlyif',
  'unless',
  'creates',
  'retry',
  'order',
  'parallel',
  'prereq',
  'prereq_in',
  'prerequired',
  'reload_modules',
  'reload_grains',
  'reload_pillar',
  'runas',
  'runas_password',
  'fire_event',
  'saltenv',
  'use',
  'use_in',
  '__env__',
  '__sls__',
  '__id__',
  '__orchestration_jid__',
  '__pub_user',
  '__pub_arg',
  '__pub_jid',
  '__pub_fun',
  '__pub_tgt',
  '__pub_ret',
  '__pub_pid',
  '__pub_tgt_type',
  '__prereq__',
  '__prerequired__',
]);

/** Everything above: the keys a state function never sees in its `args`. */
export const STATE_INTERNAL_KEYWORDS: ReadonlySet<string> = new Set([
  ...STATE_REQUISITE_KEYWORDS,
  ...STATE_REQUISITE_IN_KEYWORDS,
  ...STATE_RUNTIME_KEYWORDS,
]);
