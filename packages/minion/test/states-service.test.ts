import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { test } from 'node:test';
import { harness, isRoot } from './states-harness.js';

const systemd = existsSync('/run/systemd/system');
const NO_SYSTEMD = 'service states need systemd, which is not running on this machine';

test('service states fail with a clear comment when systemd is not running', { timeout: 10_000, skip: systemd ? 'systemd is running here' : false }, async (t) => {
  const h = await harness(t);
  for (const fun of ['service.running', 'service.dead', 'service.enabled', 'service.disabled']) {
    assert.deepEqual(await h.run(fun, 'nginx', {}), { name: 'nginx', result: false, changes: {}, comment: NO_SYSTEMD });
  }
  assert.equal((await h.run('service.mod_watch', 'nginx', { sfun: 'running' })).comment, NO_SYSTEMD);
});

const skip = !systemd ? 'service tests need systemd, which is not running on this machine'
  : !isRoot ? 'service tests need root (they install a throwaway systemd unit)' : false;

test('service.running, service.dead and mod_watch drive a throwaway systemd unit', { timeout: 60_000, skip }, async (t) => {
  const h = await harness(t);
  const name = `saltmq-test-${randomBytes(3).toString('hex')}`;
  const unit = `/etc/systemd/system/${name}.service`;
  const systemctl = (...args: string[]) => {
    try {
      execFileSync('systemctl', args, { stdio: 'ignore' });
    } catch {
      // best effort during cleanup
    }
  };
  await writeFile(unit, '[Unit]\nDescription=saltmq test\n[Service]\nExecStart=/bin/sleep infinity\n[Install]\nWantedBy=multi-user.target\n');
  systemctl('daemon-reload');
  t.after(async () => {
    systemctl('disable', '--now', `${name}.service`);
    await rm(unit, { force: true });
    systemctl('daemon-reload');
  });

  assert.deepEqual(await h.run('service.running', name, {}, { test: true }), { name, result: null, changes: {}, comment: `Service ${name} is set to start` });
  const started = await h.run('service.running', name, { enable: true });
  assert.equal(started.result, true);
  assert.equal(started.comment, `Service ${name} has been enabled, and is running`);
  assert.deepEqual(started.changes, { [name]: true });
  assert.deepEqual(await h.run('service.running', name, {}), { name, result: true, changes: {}, comment: `The service ${name} is already running` });

  const restarted = await h.run('service.mod_watch', name, { sfun: 'running' });
  assert.deepEqual(restarted, { name, result: true, changes: { [name]: true }, comment: 'Service restarted' });

  const stopped = await h.run('service.dead', name, { enable: false });
  assert.equal(stopped.comment, `Service ${name} has been disabled, and is dead`);
  assert.deepEqual(await h.run('service.dead', name, {}), { name, result: true, changes: {}, comment: `The service ${name} is already dead` });
  assert.deepEqual(await h.run('service.disabled', name, {}), { name, result: true, changes: {}, comment: `Service ${name} is already disabled, and is in the desired state` });
});
