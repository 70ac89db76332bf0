import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, stat, writeFile, chmod } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { harness } from './states-harness.js';

const TEST_NOTE = '\nNote: No changes made, actual changes may\nbe different due to other states.';
const modeOf = async (path: string) => ((await stat(path)).mode & 0o7777).toString(8).padStart(4, '0');
// what Salt gives a new file without a mode: 0666 under the process umask
const defaultMode = async () => {
  const umask = parseInt(/^Umask:\s*([0-7]+)/m.exec(await readFile('/proc/self/status', 'utf8'))?.[1] ?? '022', 8);
  return (0o666 & ~umask).toString(8).padStart(4, '0');
};

test('file.managed creates a file from a salt:// source, reports New file and its mode, then is in the correct state', { timeout: 10_000 }, async (t) => {
  const h = await harness(t);
  await h.addSaltFile('motd', 'hello\n');
  const target = join(h.dir, 'motd');
  const first = await h.run('file.managed', target, { source: 'salt://motd' });
  assert.equal(first.result, true);
  assert.equal(first.comment, `File ${target} updated`);
  assert.deepEqual(first.changes, { diff: 'New file', mode: await defaultMode() });
  assert.equal(await readFile(target, 'utf8'), 'hello\n');
  assert.deepEqual(h.calls.find((c) => c.fun === 'cp.cache_file')?.args, ['salt://motd', 'base']);

  const second = await h.run('file.managed', target, { source: 'salt://motd' });
  assert.deepEqual(second, { name: target, changes: {}, result: true, comment: `File ${target} is in the correct state` });
});

test('file.managed writes contents joined line by line and shows a unified diff with empty file names', { timeout: 10_000 }, async (t) => {
  const h = await harness(t);
  const target = join(h.dir, 'conf');
  const created = await h.run('file.managed', target, { contents: ['a', 'b', 'c'] });
  assert.deepEqual(created.changes, { diff: 'New file' });
  assert.equal(await readFile(target, 'utf8'), 'a\nb\nc\n');

  const changed = await h.run('file.managed', target, { contents: 'a\nB\nc' });
  assert.equal(changed.comment, `File ${target} updated`);
  assert.equal(changed.changes.diff, '--- \n+++ \n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n');
  assert.equal(await readFile(target, 'utf8'), 'a\nB\nc\n');

  const noNewline = await h.run('file.managed', target, { contents: 'x', contents_newline: false });
  assert.equal(noNewline.changes.diff, '--- \n+++ \n@@ -1,3 +1 @@\n-a\n-B\n-c\n+x');
  assert.equal(await readFile(target, 'utf8'), 'x');
});

test('file.managed in test mode reports the change with Salt note and touches nothing', { timeout: 10_000 }, async (t) => {
  const h = await harness(t);
  const target = join(h.dir, 'app.conf');
  const missing = await h.run('file.managed', target, { contents: 'new' }, { test: true });
  assert.deepEqual(missing, { name: target, result: null, changes: { newfile: target }, comment: `The file ${target} is set to be changed${TEST_NOTE}` });
  await assert.rejects(stat(target));

  await writeFile(target, 'old\n');
  await chmod(target, 0o600);
  const differs = await h.run('file.managed', target, { contents: 'new', mode: '0640' }, { test: true });
  assert.equal(differs.result, null);
  assert.deepEqual(differs.changes, { diff: '--- \n+++ \n@@ -1 +1 @@\n-old\n+new\n', mode: '0640' });
  assert.equal(await readFile(target, 'utf8'), 'old\n');
  assert.equal(await modeOf(target), '0600');

  const same = await h.run('file.managed', target, { contents: 'old' }, { test: true });
  assert.deepEqual(same, { name: target, result: true, changes: {}, comment: `The file ${target} is in the correct state` });
});

test('file.managed reads a numeric mode as Salt does (644 means 0644) and creates parents with makedirs', { timeout: 10_000 }, async (t) => {
  const h = await harness(t);
  const target = join(h.dir, 'a', 'b', 'f');
  const noParent = await h.run('file.managed', target, { contents: 'x' });
  assert.deepEqual(noParent, { name: target, result: false, changes: {}, comment: 'Parent directory not present' });

  const made = await h.run('file.managed', target, { contents: 'x', mode: 640, makedirs: true });
  assert.equal(made.result, true);
  assert.deepEqual(made.changes, { diff: 'New file', mode: '0640' });
  assert.equal(await modeOf(target), '0640');
  // directories get the file mode plus execute bits, as Salt derives dir_mode
  assert.equal(await modeOf(join(h.dir, 'a')), '0750');

  const chmodOnly = await h.run('file.managed', target, { contents: 'x', mode: '0600' });
  assert.deepEqual(chmodOnly.changes, { mode: '0600' });
});

test('file.managed keeps the mode of an existing file it rewrites', { timeout: 10_000 }, async (t) => {
  const h = await harness(t);
  const target = join(h.dir, 'keep');
  await writeFile(target, 'one\n');
  await chmod(target, 0o751);
  const ret = await h.run('file.managed', target, { contents: 'two' });
  assert.equal(ret.result, true);
  assert.equal(await modeOf(target), '0751');
  assert.deepEqual(Object.keys(ret.changes), ['diff']);
});

test('file.managed renders a jinja source with defaults overridden by context', { timeout: 10_000 }, async (t) => {
  const h = await harness(t);
  await h.addSaltFile('tmpl/app.conf', 'port={{ port }} host={{ host }}\n');
  const target = join(h.dir, 'app.conf');
  const ret = await h.run('file.managed', target, {
    source: 'salt://tmpl/app.conf', template: 'jinja', defaults: { port: 80, host: 'a' }, context: { port: 8080 },
  });
  assert.equal(ret.result, true);
  assert.equal(await readFile(target, 'utf8'), 'port=8080 host=a\n');
});

test('file.managed takes the first source of a list that exists, local paths included', { timeout: 10_000 }, async (t) => {
  const h = await harness(t);
  const local = join(h.dir, 'local.txt');
  await writeFile(local, 'local\n');
  const target = join(h.dir, 'out');
  const ret = await h.run('file.managed', target, { source: ['salt://nope', `file://${local}`] });
  assert.equal(ret.result, true);
  assert.equal(await readFile(target, 'utf8'), 'local\n');

  const none = await h.run('file.managed', target, { source: ['salt://nope', 'salt://neither'] });
  assert.equal(none.comment, 'Unable to manage file: none of the specified sources were found');
  const single = await h.run('file.managed', join(h.dir, 'x'), { source: 'salt://nope' });
  assert.deepEqual(single, { name: join(h.dir, 'x'), result: false, changes: {}, comment: "Source file salt://nope not found in saltenv 'base'" });
});

test('file.managed refuses a source whose source_hash does not match, and accepts the right one', { timeout: 10_000 }, async (t) => {
  const h = await harness(t);
  await h.addSaltFile('pkg.tgz', 'payload');
  const good = createHash('sha256').update('payload').digest('hex');
  const bad = [...good].reverse().join('');
  const target = join(h.dir, 'pkg.tgz');
  const refused = await h.run('file.managed', target, { source: 'salt://pkg.tgz', source_hash: `sha256=${bad}` });
  assert.equal(refused.result, false);
  assert.deepEqual(refused.changes, {});
  assert.equal(refused.comment, `Specified sha256 checksum for ${target} (${bad}) does not match actual checksum (${good})`);
  await assert.rejects(stat(target));

  const ok = await h.run('file.managed', target, { source: 'salt://pkg.tgz', source_hash: good });
  assert.equal(ok.result, true);
});

test('file.managed with backup: minion keeps the old file under cachedir/file_backup', { timeout: 10_000 }, async (t) => {
  const h = await harness(t);
  const target = join(h.dir, 'etc', 'hosts');
  await mkdir(join(h.dir, 'etc'));
  await writeFile(target, 'old\n');
  const ret = await h.run('file.managed', target, { contents: 'new', backup: 'minion' });
  assert.equal(ret.result, true);
  const bkdir = join(h.deps.cachedir, 'file_backup', join(h.dir, 'etc').slice(1));
  const [backup] = await readdir(bkdir);
  assert.match(backup!, /^hosts_[A-Z][a-z]{2}_[A-Z][a-z]{2}_\d\d_\d\d:\d\d:\d\d_\d{6}_\d{4}$/);
  assert.equal(await readFile(join(bkdir, backup!), 'utf8'), 'old\n');
});

test('file.managed with replace: False only fixes permissions of an existing file', { timeout: 10_000 }, async (t) => {
  const h = await harness(t);
  const target = join(h.dir, 'f');
  await writeFile(target, 'mine\n');
  await chmod(target, 0o644);
  const same = await h.run('file.managed', target, { contents: 'theirs', replace: false });
  assert.equal(same.comment, `File ${target} exists with proper permissions. No changes made.`);
  const chmodded = await h.run('file.managed', target, { contents: 'theirs', replace: false, mode: '0600' });
  assert.deepEqual(chmodded.changes, { mode: '0600' });
  assert.equal(await readFile(target, 'utf8'), 'mine\n');
});

test('file.managed refuses relative names, reports binary files, and honours create: False', { timeout: 10_000 }, async (t) => {
  const h = await harness(t);
  const rel = await h.run('file.managed', 'relative/path', { contents: 'x' });
  assert.equal(rel.comment, 'Specified file relative/path is not an absolute path');

  const absentTarget = join(h.dir, 'nope');
  const skip = await h.run('file.managed', absentTarget, { contents: 'x', create: false });
  assert.deepEqual(skip, { name: absentTarget, result: true, changes: {}, comment: `File ${absentTarget} is not present and is not set for creation` });

  const bin = join(h.dir, 'bin');
  await writeFile(bin, Buffer.from([0, 1, 2, 3]));
  const src = join(h.dir, 'bin.src');
  await writeFile(src, Buffer.from([0, 9, 9]));
  const ret = await h.run('file.managed', bin, { source: src });
  assert.equal(ret.changes.diff, 'Replace binary file');
  assert.deepEqual(await readFile(bin), Buffer.from([0, 9, 9]));
});
