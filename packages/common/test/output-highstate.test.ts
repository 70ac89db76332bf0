// The highstate outputter: expected texts follow salt/output/highstate.py with Salt's defaults
// (state_output full, state_verbose True, state_output_profile True) and colour off.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatHighstate, printout } from '../src/output/index.js';

const TWO_STATES = {
  web1: {
    // Listed out of order on purpose: Salt sorts by __run_num__, not by key or insertion.
    'cmd_|-say hi_|-echo hi_|-run': {
      __id__: 'say hi', __run_num__: 1, __sls__: 'motd', name: 'echo hi', result: true,
      comment: 'unless condition is true', changes: {}, start_time: '10:00:00.010200', duration: 2.222,
    },
    'file_|-/etc/motd_|-/etc/motd_|-managed': {
      __id__: '/etc/motd', __run_num__: 0, __sls__: 'motd', name: '/etc/motd', result: true,
      comment: 'File /etc/motd updated', changes: { diff: '--- \n+++ \n@@ -1 +1 @@\n-old\n+new\n' },
      start_time: '10:00:00.000001', duration: 10.123,
    },
  },
};

/** Four states run with test=True: two would change, one is clean with a warning, one failed. */
const MIXED = {
  web1: {
    'test_|-a_|-a_|-nop': { __run_num__: 0, name: 'a', result: null, comment: 'would run', changes: {}, start_time: '1', duration: 10000.0 },
    'test_|-b_|-b_|-nop': {
      __run_num__: 1, name: 'b', result: null, comment: 'line one\nline two\n', changes: { x: { old: 1, new: 2 } }, start_time: '2', duration: 10.5,
    },
    'test_|-c_|-c_|-nop': {
      __run_num__: 2, name: 'c', result: true, comment: 'ok', changes: {}, start_time: '3', duration: 0.0,
      warnings: ["The 'foo' argument is deprecated and will be removed in Salt 3009; use the 'bar' argument instead, which does the same."],
    },
    'test_|-d_|-d_|-nop': { __run_num__: 3, name: 'd', result: false, comment: 'boom', changes: {}, start_time: '4', duration: 0.0 },
  },
};

test('a changed file.managed and an unchanged cmd.run print as Salt prints them, summary included', () => {
  const expected = [
    'web1:',
    '----------',
    '          ID: /etc/motd',
    '    Function: file.managed',
    '      Result: True',
    '     Comment: File /etc/motd updated',
    '     Started: 10:00:00.000001',
    '    Duration: 10.123 ms',
    '     Changes:   ',
    '              ----------',
    '              diff:',
    '                  --- ',
    '                  +++ ',
    '                  @@ -1 +1 @@',
    '                  -old',
    '                  +new',
    '----------',
    '          ID: say hi',
    '    Function: cmd.run',
    '        Name: echo hi',
    '      Result: True',
    '     Comment: unless condition is true',
    '     Started: 10:00:00.010200',
    '    Duration: 2.222 ms',
    '     Changes:   ',
    '',
    'Summary for web1',
    '------------',
    'Succeeded: 2 (changed=1)',
    'Failed:    0',
    '------------',
    'Total states run:     2',
    'Total run time:  12.345 ms',
  ];
  assert.deepEqual(printout('highstate', TWO_STATES).split('\n'), expected);
});

test('test=True results count as succeeded and unchanged, and a run past 999 ms is shown in seconds', () => {
  const out = formatHighstate(MIXED).split('\n');
  assert.deepEqual(out.slice(-8), [
    'Summary for web1',
    '------------',
    'Succeeded: 3 (unchanged=2, changed=1)',
    'Failed:    1',
    'Warnings:  1',
    '------------',
    'Total states run:     4',
    'Total run time:  10.011 s',
  ]);
});

test('a multi-line comment continues 14 columns in, durations keep Python float digits, warnings wrap at 80', () => {
  const out = formatHighstate(MIXED).split('\n');
  assert.ok(out.includes('     Comment: line one'));
  assert.equal(out[out.indexOf('     Comment: line one') + 1], '              line two');
  assert.ok(out.includes('    Duration: 10000.0 ms'));
  assert.ok(out.includes("    Warnings: The 'foo' argument is deprecated and will be removed in Salt 3009;"));
  assert.ok(out.includes("              use the 'bar' argument instead, which does the same."));
});

test('terse prints one line per state with Clean, Changed, Failed or Differs', () => {
  const out = formatHighstate(MIXED, { stateOutput: 'terse' }).split('\n');
  assert.deepEqual(out.slice(0, 3), [
    'web1:',
    '  Name: a - Function: test.nop - Result: Differs - Started: 1 - Duration: 10000.0 ms',
    '  Name: b - Function: test.nop - Result: Differs - Started: 2 - Duration: 10.5 ms',
  ]);
  assert.ok(out.includes('  Name: d - Function: test.nop - Result: Failed - Started: 4 - Duration: 0.0 ms'));
});

test('mixed prints failures in full and the rest tersely; the _id forms show the state id', () => {
  const data = {
    m: {
      'pkg_|-web_|-nginx_|-installed': { __run_num__: 0, name: 'nginx', result: true, comment: 'ok', changes: {} },
      'cmd_|-go_|-false_|-run': { __run_num__: 1, name: 'false', result: false, comment: 'Command "false" run', changes: {} },
    },
  };
  const out = formatHighstate(data, { stateOutput: 'mixed_id', stateOutputProfile: false }).split('\n');
  assert.deepEqual(out.slice(0, 9), [
    'm:',
    '  Name: web - Function: pkg.installed - Result: Clean',
    '----------',
    '          ID: go',
    '    Function: cmd.run',
    '      Result: False',
    '     Comment: Command "false" run',
    '     Changes:   ',
    '',
  ]);
  assert.equal(out.at(-1), 'Total states run:     2'); // no run time line without state_output_profile
});

test('state_verbose False hides clean states but still counts them', () => {
  const out = formatHighstate(TWO_STATES, { stateVerbose: false }).split('\n');
  assert.ok(!out.includes('          ID: say hi'));
  assert.ok(out.includes('          ID: /etc/motd'));
  assert.ok(out.includes('Total states run:     2'));
});

test('a compile error prints Data failed to compile and each error after a ---------- line', () => {
  const data = { web1: ["Rendering SLS 'base:web' failed: Jinja variable 'x' is undefined", 'Second'] };
  assert.equal(
    formatHighstate(data),
    "web1:\n    Data failed to compile:\n----------\n    Rendering SLS 'base:web' failed: Jinja variable 'x' is undefined\n----------\n    Second",
  );
});

test('a string return prints like nested, without a summary', () => {
  assert.equal(formatHighstate({ web1: "No matching sls found for 'nope' in env 'base'" }), "web1:\n    No matching sls found for 'nope' in env 'base'");
});

test('an orchestration step prints the minions it ran as nested highstates 14 columns in', () => {
  const data = {
    master_master: {
      'salt_|-deploy_|-deploy_|-state': {
        __run_num__: 0, name: 'deploy', result: true, comment: 'States ran successfully. Updating web1.',
        start_time: '09:00:00.000000', duration: 1.5,
        changes: {
          out: 'highstate',
          ret: {
            web1: {
              'test_|-t_|-t_|-succeed_with_changes': {
                __run_num__: 0, name: 't', result: true, comment: 'Success!', start_time: '09:00:00.500000', duration: 0.25,
                changes: { testing: { old: 'Unchanged', new: 'Something pretended to change' } },
              },
            },
          },
        },
      },
    },
    retcode: 0,
  };
  const out = printout('highstate', data).split('\n');
  assert.deepEqual(out.slice(8, 20), [
    '     Changes:   ',
    '              web1:',
    '              ----------',
    '                        ID: t',
    '                  Function: test.succeed_with_changes',
    '                    Result: True',
    '                   Comment: Success!',
    '                   Started: 09:00:00.500000',
    '                  Duration: 0.25 ms',
    '                   Changes:   ',
    '                            ----------',
    '                            testing:',
  ]);
  assert.ok(out.includes('              Summary for web1'));
  assert.ok(out.includes('              Total run time:   0.250 ms'));
  assert.equal(out.at(-1), 'Total run time:   1.500 ms');
});

test('highstate colours the host red for a failure and the summary cyan', () => {
  const out = formatHighstate(MIXED, { color: true }).split('\n');
  assert.equal(out[0], '\x1b[0;31mweb1:\x1b[0;0m');
  assert.ok(out.includes('\x1b[0;32mSucceeded: 3\x1b[0;0m (\x1b[0;1;33munchanged=2\x1b[0;0m, \x1b[0;32mchanged=1\x1b[0;0m)'));
  assert.ok(out.includes('\x1b[0;31mFailed:    1\x1b[0;0m'));
});

test('the summary widens with the largest count and state_output_pct adds percentages', () => {
  const states = Object.fromEntries(
    Array.from({ length: 12 }, (_, i) => [`test_|-s${i}_|-s${i}_|-nop`, { __run_num__: i, name: `s${i}`, result: i !== 0, comment: '', changes: {}, duration: 1.0, start_time: 't' }]),
  );
  const out = formatHighstate({ m: states }, { stateOutput: 'terse', stateOutputPct: true }).split('\n');
  assert.deepEqual(out.slice(-9), [
    'Summary for m',
    '-------------',
    'Succeeded: 11',
    'Failed:     1',
    'Success %: 91.67',
    'Failure %: 8.33',
    '-------------',
    'Total states run:     12',
    'Total run time:   12.000 ms',
  ]);
});
