import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { harness, isRoot } from './states-harness.js';

const has = (cmd: string) => {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};
const installedVersion = () => {
  try {
    return execFileSync('dpkg-query', ['-W', '--showformat', '${Status} ${Version}', 'hello'], { encoding: 'utf8' }).match(/install ok installed (\S+)/)?.[1];
  } catch {
    return undefined;
  }
};

const skip = !isRoot ? 'pkg tests need root (they install and remove the Debian package hello)'
  : !has('apt-get') || !has('dpkg-query') ? 'pkg tests need a Debian-family machine with apt-get and dpkg-query'
  : installedVersion() ? 'the package hello is already installed here; the pkg tests leave it alone'
  : false;

test('pkg.installed and pkg.removed install and remove the hello package with Salt comments and changes', { timeout: 180_000, skip }, async (t) => {
  const h = await harness(t);
  t.after(() => {
    if (installedVersion()) execFileSync('apt-get', ['-q', '-y', 'purge', 'hello'], { stdio: 'ignore', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  });
  const policy = execFileSync('apt-cache', ['policy', 'hello'], { encoding: 'utf8' });
  const refresh = !/Candidate: (?!\(none\))/.test(policy);

  const planned = await h.run('pkg.installed', 'hello', { refresh }, { test: true });
  if (!refresh) {
    assert.deepEqual(planned, { name: 'hello', result: null, changes: { hello: { new: 'installed', old: '' } }, comment: 'The following packages would be installed/updated: hello' });
  }
  assert.equal(installedVersion(), undefined);

  const done = await h.run('pkg.installed', 'hello', { refresh });
  const version = installedVersion();
  assert.ok(version, `hello was not installed: ${done.comment}`);
  assert.deepEqual(done, { name: 'hello', result: true, changes: { hello: { old: '', new: version } }, comment: 'The following packages were installed/updated: hello' });
  assert.equal(h.calls.some((c) => c.fun === 'cmd.run_all' && (c.kwargs.env as Record<string, string> | undefined)?.DEBIAN_FRONTEND === 'noninteractive'), true);

  assert.deepEqual(await h.run('pkg.installed', 'hello', {}), { name: 'hello', result: true, changes: {}, comment: 'Package hello is already installed' });
  assert.equal((await h.run('pkg.installed', 'x', { pkgs: ['hello'] })).comment, 'All specified packages are already installed');
  assert.equal((await h.run('pkg.installed', 'hello', { version })).comment, `Version ${version} of package 'hello' is already installed`);

  const planRemove = await h.run('pkg.removed', 'hello', {}, { test: true });
  assert.deepEqual(planRemove, { name: 'hello', result: null, changes: { hello: { new: 'removed', old: '' } }, comment: 'The following packages will be removed: hello.' });
  const removed = await h.run('pkg.removed', 'hello', {});
  assert.deepEqual(removed, { name: 'hello', result: true, changes: { hello: { new: '', old: version } }, comment: 'All targeted packages were removed.' });
  assert.equal(installedVersion(), undefined);
  assert.deepEqual(await h.run('pkg.removed', 'hello', {}), { name: 'hello', result: true, changes: {}, comment: 'All specified packages are already absent' });

  const planLatest = await h.run('pkg.latest', 'hello', {}, { test: true });
  assert.deepEqual(planLatest, { name: 'hello', result: null, changes: {}, comment: 'The following packages would be installed/upgraded: hello' });
  const latest = await h.run('pkg.latest', 'hello', {});
  assert.equal(latest.comment, 'The following packages were successfully installed/upgraded: hello');
  assert.deepEqual(await h.run('pkg.latest', 'hello', {}), { name: 'hello', result: true, changes: {}, comment: 'Package hello is already up-to-date' });
  const purged = await h.run('pkg.purged', 'hello', {});
  assert.equal(purged.comment, 'All targeted packages were purged.');
  assert.deepEqual((purged.changes as { installed: unknown }).installed, { hello: { new: '', old: version } });
});

test('pkg.installed names a package apt has never heard of', { timeout: 60_000, skip: !has('apt-get') ? 'pkg tests need apt-get' : false }, async (t) => {
  const h = await harness(t);
  const ret = await h.run('pkg.installed', 'saltmq-no-such-package', {});
  assert.deepEqual(ret, {
    name: 'saltmq-no-such-package', result: false, changes: {},
    comment: 'The following package(s) were not found, and no possible matches were found in the package db: saltmq-no-such-package',
  });
});
