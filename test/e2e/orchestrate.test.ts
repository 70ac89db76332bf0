import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { cli, eventually, minionReady, startMaster, startMinion } from './harness.js';

test('state.orchestrate runs salt.state, salt.function and salt.runner steps with requisites, from the CLI and from a reaction', { timeout: 120_000 }, async (t) => {
  const master = await startMaster(t, { auto_accept: true });
  const out = join(master.dir, 'out');
  await mkdir(join(master.dir, 'srv/salt/orch'), { recursive: true });
  await mkdir(out);
  await writeFile(join(master.dir, 'srv/salt/webconf.sls'), `${out}/{{ grains['id'] }}.conf:\n  file.managed:\n    - contents: configured\n`);
  await writeFile(
    join(master.dir, 'srv/salt/orch/deploy.sls'),
    [
      'install_web:',
      '  salt.state:',
      "    - tgt: 'web*'",
      '    - sls: webconf',
      'notify:',
      '  salt.function:',
      '    - name: cmd.run',
      "    - tgt: 'web*'",
      '    - arg:',
      `      - echo {{ pillar['msg'] }} >> ${out}/notify`,
      '    - require:',
      '      - salt: install_web',
      'fail_step:',
      '  salt.function:',
      '    - name: cmd.run',
      '    - tgt: web1',
      '    - arg:',
      "      - 'exit 3'",
      'tolerated_step:',
      '  salt.function:',
      '    - name: cmd.run',
      "    - tgt: 'web*'",
      '    - arg:',
      "      - 'exit 3'",
      '    - fail_minions: web1, web2',
      'allowed_step:',
      '  salt.function:',
      '    - name: cmd.run',
      "    - tgt: 'web*'",
      '    - arg:',
      "      - 'exit 3'",
      '    - allow_fail: 2',
      'ghost_step:',
      '  salt.function:',
      '    - name: test.ping',
      '    - tgt: gone1',
      'after_fail:',
      '  salt.runner:',
      '    - name: event.send',
      '    - tag: orch/after',
      '    - require:',
      '      - salt: fail_step',
      '',
    ].join('\n'),
  );
  await writeFile(join(master.dir, 'srv/salt/orch/react.sls'), `from_event:\n  salt.function:\n    - name: cmd.run\n    - tgt: web1\n    - arg:\n      - echo {{ pillar['event_data']['id'] }} >> ${out}/reacted\n`);
  const minions = await Promise.all([startMinion(t, master, 'web1'), startMinion(t, master, 'web2'), startMinion(t, master, 'gone1')]);
  await Promise.all(minions.map((m) => minionReady(m)));
  await minions[2]!.proc.stop(); // accepted, then gone: a step that targets it must say so

  const dry = await cli(master, 'run', ['state.orchestrate', 'orch.deploy', 'pillar={"msg": "deployed"}', 'test=True']);
  assert.equal(dry.code, 0, dry.stdout + dry.stderr);
  assert.match(dry.stdout, /ID: install_web\n {4}Function: salt\.state\n {6}Result: None\n/);
  await assert.rejects(readFile(join(out, 'web1.conf')), 'test=True changed nothing');

  const run = await cli(master, 'run', ['state.orchestrate', 'orch.deploy', 'pillar={"msg": "deployed"}']);
  assert.equal(run.code, 1, 'a failed step fails the run');
  assert.equal(await readFile(join(out, 'web1.conf'), 'utf8'), 'configured\n');
  assert.equal(await readFile(join(out, 'web2.conf'), 'utf8'), 'configured\n');
  assert.deepEqual((await readFile(join(out, 'notify'), 'utf8')).split('\n').filter(Boolean), ['deployed', 'deployed']);
  assert.match(run.stdout, /^\S+_master:\n/);
  assert.match(run.stdout, /ID: install_web\n {4}Function: salt\.state\n {6}Result: True\n {5}Comment: States ran successfully\. Updating web1, web2\./);
  assert.match(run.stdout, /ID: fail_step\n {4}Function: salt\.function\n {8}Name: cmd\.run\n {6}Result: False\n {5}Comment: Running function cmd\.run failed on minions: web1/);
  assert.match(run.stdout, /ID: after_fail\n {4}Function: salt\.runner\n {8}Name: event\.send\n {6}Result: False\n {5}Comment: One or more requisite failed: orch\.deploy\.fail_step/);
  assert.match(run.stdout, /ID: fail_step\n(?:.*\n){4} {14}Failures:\n {18}web1:\n {22}returned nothing, retcode 3\n/);
  assert.match(run.stdout, /ID: tolerated_step\n {4}Function: salt\.function\n {8}Name: cmd\.run\n {6}Result: True\n {5}Comment: Function ran successfully\.\n {14}Failures:\n {18}web1:\n {22}returned nothing, retcode 3\n {18}web2:\n/);
  assert.match(run.stdout, /ID: allowed_step\n {4}Function: salt\.function\n {8}Name: cmd\.run\n {6}Result: True\n/);
  assert.match(run.stdout, /ID: ghost_step\n {4}Function: salt\.function\n {8}Name: test\.ping\n {6}Result: False\n {5}Comment: Running function test\.ping failed on minions: gone1\n {14}Failures:\n {18}gone1:\n {22}Minion did not respond\n/);
  assert.match(run.stdout, /Succeeded: 4 \(changed=\d\)\nFailed: {4}3\n/);

  const reactor = join(master.dir, 'srv/reactor.sls');
  await writeFile(reactor, 'orch:\n  runner.state.orchestrate:\n    - args:\n      - mods: orch.react\n      - pillar:\n          event_data: {{ data|json }}\n');
  await cli(master, 'run', ['reactor.add', 'app/deployed', `reactors=${reactor}`]);
  await cli(master, 'run', ['event.send', 'app/deployed', 'data={"id": "web9"}']);
  const reacted = await eventually(() => readFile(join(out, 'reacted'), 'utf8').catch(() => undefined), 30_000, 'the orchestration the reactor started ran');
  assert.equal(reacted, 'web9\n');

  // the old syntax: runner parameters as top-level keys of the reaction
  const oldSyntax = join(master.dir, 'srv/reactor-old.sls');
  await writeFile(oldSyntax, 'orch_old:\n  runner.state.orchestrate:\n    - mods: orch.react\n    - pillar:\n        event_data: {{ data|json }}\n');
  await cli(master, 'run', ['reactor.add', 'app/deployed-old', `reactors=${oldSyntax}`]);
  await cli(master, 'run', ['event.send', 'app/deployed-old', 'data={"id": "web8"}']);
  await eventually(async () => (await readFile(join(out, 'reacted'), 'utf8')).includes('web8'), 30_000, 'the old-syntax reaction started the orchestration');
  assert.equal(await readFile(join(out, 'reacted'), 'utf8'), 'web9\nweb8\n');
});
