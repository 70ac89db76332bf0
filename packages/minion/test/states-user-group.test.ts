import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { harness, isRoot } from './states-harness.js';

const skip = isRoot ? false : 'user and group tests need root (they add and delete a throwaway account)';
const quietly = (argv: string[]) => {
  try {
    execFileSync(argv[0]!, argv.slice(1), { stdio: 'ignore' });
  } catch {
    // already gone
  }
};

test('group.present and group.absent create, report and delete a group', { timeout: 30_000, skip }, async (t) => {
  const h = await harness(t);
  const name = `smq-g${randomBytes(3).toString('hex')}`;
  t.after(() => quietly(['groupdel', name]));
  assert.deepEqual(await h.run('group.present', name, {}, { test: true }), { name, result: null, changes: {}, comment: `Group ${name} set to be added` });
  const created = await h.run('group.present', name, {});
  assert.equal(created.comment, `New group ${name} created`);
  assert.deepEqual(Object.keys(created.changes), ['name', 'passwd', 'gid', 'members']);
  assert.deepEqual(created.changes.members, []);
  assert.deepEqual(await h.run('group.present', name, {}), { name, result: true, changes: {}, comment: `Group ${name} is present and up to date` });

  const planned = await h.run('group.present', name, { addusers: ['root'] }, { test: true });
  assert.equal(planned.comment, "The following group attributes are set to be changed:\naddusers: ['root']\n");
  const added = await h.run('group.present', name, { addusers: ['root'] });
  assert.deepEqual(added.changes, { Final: 'All changes applied successfully' });

  assert.deepEqual(await h.run('group.absent', name, {}, { test: true }), { name, result: null, changes: {}, comment: `Group ${name} is set for removal` });
  assert.deepEqual(await h.run('group.absent', name, {}), { name, result: true, changes: { [name]: '' }, comment: `Removed group ${name}` });
  assert.deepEqual(await h.run('group.absent', name, {}), { name, result: true, changes: {}, comment: 'Group not present' });
});

test('user.present creates a user, reports what differs, updates it, and user.absent removes it', { timeout: 30_000, skip }, async (t) => {
  const h = await harness(t);
  const user = `smq-u${randomBytes(3).toString('hex')}`;
  const group = `smq-g${randomBytes(3).toString('hex')}`;
  const home = join(h.dir, 'home', user);
  t.after(() => {
    quietly(['userdel', '-r', user]);
    quietly(['groupdel', user]);
    quietly(['groupdel', group]);
  });
  execFileSync('mkdir', ['-p', join(h.dir, 'home')]);
  const missingGroup = await h.run('user.present', user, { groups: [group] });
  assert.deepEqual(missingGroup, { name: user, result: false, changes: {}, comment: `The following group(s) are not present: ${group}` });
  await h.run('group.present', group, {});

  const args = { home, shell: '/bin/sh', fullname: 'Test User', groups: [group] };
  assert.deepEqual(await h.run('user.present', user, args, { test: true }), { name: user, result: null, changes: {}, comment: `User ${user} set to be added` });
  const created = await h.run('user.present', user, args);
  assert.equal(created.comment, `New user ${user} created`);
  assert.equal(created.result, true);
  assert.equal(created.changes.home, home);
  assert.equal(created.changes.fullname, 'Test User');
  assert.ok((created.changes.groups as string[]).includes(group));
  assert.ok((await stat(home)).isDirectory());
  assert.deepEqual(await h.run('user.present', user, args), { name: user, result: true, changes: {}, comment: `User ${user} is present and up to date` });

  const planned = await h.run('user.present', user, { ...args, shell: '/bin/bash' }, { test: true });
  assert.equal(planned.comment, 'The following user attributes are set to be changed:\nshell: /bin/bash\n');
  const updated = await h.run('user.present', user, { ...args, shell: '/bin/bash', password: '$6$salt$hash' });
  assert.equal(updated.comment, `Updated user ${user}`);
  assert.deepEqual(updated.changes, { shell: '/bin/bash', passwd: 'XXX-REDACTED-XXX' });
  const hashed = await h.run('user.present', user, { ...args, shell: '/bin/bash', password: 'secret', hash_password: true });
  assert.deepEqual(hashed.changes, { passwd: 'XXX-REDACTED-XXX' });
  // the existing salt is reused, so the same clear-text password is not a change
  assert.equal((await h.run('user.present', user, { ...args, shell: '/bin/bash', password: 'secret', hash_password: true })).comment, `User ${user} is present and up to date`);
  const uid = Number(execFileSync('id', ['-u', user], { encoding: 'utf8' }));
  const guarded = await h.run('user.present', user, { uid: uid + 1 });
  assert.equal(guarded.result, false);
  assert.match(guarded.comment, /^Changing uid \(\d+ -> \d+\) not permitted, set allow_uid_change to True/);

  assert.deepEqual(await h.run('user.absent', user, {}, { test: true }), { name: user, result: null, changes: {}, comment: `User ${user} set for removal` });
  const removed = await h.run('user.absent', user, { purge: true });
  assert.equal(removed.comment, `Removed user ${user}`);
  assert.equal(removed.changes[user], 'removed');
  assert.deepEqual(await h.run('user.absent', user, {}), { name: user, result: true, changes: {}, comment: `User ${user} is not present` });
});
