import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  JidFactory,
  exprMatch,
  fnmatch,
  generateKeyPair,
  idProblem,
  isJid,
  jidToTime,
  normalizePublicPem,
  pemFingerprint,
  pyJsonDumps,
  saltStamp,
  signText,
  verifyText,
} from '../src/index.js';

test('jids are 20 digits and unique even for thousands in one millisecond', () => {
  const jids = new JidFactory();
  const seen = new Set<string>();
  for (let i = 0; i < 5000; i++) seen.add(jids.next());
  assert.equal(seen.size, 5000);
  for (const jid of seen) assert.ok(isJid(jid), jid);
  const sorted = [...seen].sort();
  assert.deepEqual(sorted, [...seen]);
});

test('jid_to_time and _stamp follow Python formats', () => {
  assert.equal(jidToTime('20150213001905721678'), '2015, Feb 13 00:19:05.721678');
  assert.equal(saltStamp(1423786745724583n), '2015-02-13T00:19:05.724583');
  assert.equal(saltStamp(1423786745000000n), '2015-02-13T00:19:05');
});

test('fnmatch lets * cross slashes and expr_match falls back to an anchored regex', () => {
  assert.ok(fnmatch('salt/minion/Minion1/start', 'salt/minion/Min*/start'));
  assert.ok(fnmatch('salt/minion/a/b/start', 'salt/minion/*/start'));
  assert.ok(!fnmatch('salt/minion/web1/start', 'salt/minion/Min*/start'));
  assert.ok(fnmatch('web1', 'web[0-9]'));
  assert.ok(fnmatch('webx', 'web[!0-9]'));
  assert.ok(exprMatch('foo/bar/baz', 'foo/bar/baz'));
  assert.ok(exprMatch('foo/bar/baz', 'foo/*/baz'));
  assert.ok(!exprMatch('foo/bar/baz', 'foo/*/bar'));
  assert.ok(exprMatch('foo/bar/baz', 'foo/\\w+/baz'));
  assert.ok(!exprMatch('foo/bar/baz', 'foo/\\w/baz'));
  assert.ok(!exprMatch('xfoo/bar/baz', 'foo/\\w+/baz'));
});

test('pyJsonDumps prints Python separators, and sorted keys with indent 4 when pretty', () => {
  assert.equal(pyJsonDumps({ b: 1, a: [true, null, 'x'] }), '{"b": 1, "a": [true, null, "x"]}');
  assert.equal(pyJsonDumps({ b: 1, a: {} }, { indent: 4, sortKeys: true }), '{\n    "a": {},\n    "b": 1\n}');
  assert.equal(pyJsonDumps({ é: 'ü' }), '{"é": "ü"}');
});

test('ids that could escape a directory or a topic level are refused with a reason', () => {
  for (const bad of ['', 'a/b', 'a\\b', '..', 'a..b', 'a+b', 'a#', '$SYS', 'a\0b', 'a\nb', 'x'.repeat(256)]) {
    assert.ok(idProblem(bad), `expected a problem for ${JSON.stringify(bad)}`);
  }
  for (const good of ['Minion1', 'web-1.example.com', 'db_2', 'Ünïcode']) assert.equal(idProblem(good), undefined);
});

test('keys are made in Salt formats, fingerprinted as pem_finger, and sign and verify', async () => {
  const pair = await generateKeyPair(2048);
  assert.match(pair.privatePem, /^-----BEGIN RSA PRIVATE KEY-----\n/);
  assert.match(pair.publicPem, /^-----BEGIN PUBLIC KEY-----\n/);
  assert.ok(!pair.publicPem.includes('\r'));
  assert.equal(normalizePublicPem(pair.publicPem.replace(/\n/g, '\r\n')), pair.publicPem);
  const finger = pemFingerprint(pair.publicPem);
  assert.match(finger, /^([0-9a-f]{2}:){31}[0-9a-f]{2}$/);
  const sig = signText(pair.privatePem, 'hello');
  assert.ok(verifyText(pair.publicPem, 'hello', sig));
  assert.ok(!verifyText(pair.publicPem, 'hellO', sig));
  assert.ok(!verifyText(pair.publicPem, 'hello', 'garbage'));
  assert.throws(() => normalizePublicPem('-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n'));
});
