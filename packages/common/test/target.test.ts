import assert from 'node:assert/strict';
import { test } from 'node:test';
import { matchTarget, resolveTarget } from '../src/target/index.js';
import type { TargetCandidate } from '../src/target/index.js';

const web1: TargetCandidate = {
  id: 'web1',
  grains: {
    os: 'Debian',
    os_family: 'Debian',
    num_cpus: 4,
    virtual: true,
    serial: null,
    roles: ['web', 'lb'],
    services: { nginx: { port: 80 } },
    master: 'salt:4506',
    ip_interfaces: { eth0: ['10.0.0.5'], lo: ['127.0.0.1'] },
    ipv4: ['10.0.0.5', '127.0.0.1'],
    ipv6: ['::1', 'fe80::1', '2001:db8::5'],
  },
  pillar: { role: 'web', env: 'prod', users: [{ name: 'alice' }, { name: 'bob' }] },
};
const db1: TargetCandidate = { id: 'db1', grains: { os: 'CentOS', roles: 'db', ipv4: ['10.0.1.7'] }, pillar: { role: 'db' } };
const bare: TargetCandidate = { id: 'new1' }; // no cached grains or pillar

const matches = (tgt: string | string[], type: string, minion: TargetCandidate, delimiter?: string) =>
  matchTarget(tgt, type, minion, delimiter === undefined ? {} : { delimiter });

test('a glob matches the minion id with fnmatch, case-sensitively', () => {
  assert.equal(matches('web*', 'glob', web1), true);
  assert.equal(matches('web?', 'glob', web1), true);
  assert.equal(matches('[!w]*', 'glob', web1), false);
  assert.equal(matches('WEB*', 'glob', web1), false);
  assert.equal(matches('*', 'glob', bare), true);
});

test('a pcre target is anchored at the start only, like re.match', () => {
  assert.equal(matches('^db', 'pcre', db1), true);
  assert.equal(matches('web', 'pcre', web1), true);
  assert.equal(matches('eb1', 'pcre', web1), false);
  assert.equal(matches('web1$', 'pcre', web1), true);
  assert.equal(matches('web$', 'pcre', web1), false);
});

test('a pcre target accepts the Python spellings JavaScript lacks', () => {
  assert.equal(matches('(?i)WEB', 'pcre', web1), true);
  assert.equal(matches('(?P<kind>web)\\d', 'pcre', web1), true);
  assert.equal(matches('(?P<c>w)e(?P=c)', 'pcre', { id: 'wew' }), true);
  assert.equal(matches('web1\\Z', 'pcre', web1), true);
  assert.equal(matches('[]w]eb', 'pcre', web1), true);
});

test('a list is a comma-separated string, a space-separated string, or an array', () => {
  assert.equal(matches('db1,web1', 'list', web1), true);
  assert.equal(matches('db1, web1', 'list', web1), true);
  assert.equal(matches('db1 web1', 'list', web1), true);
  assert.equal(matches(['db1', 'web1'], 'list', web1), true);
  assert.equal(matches('web10,web', 'list', web1), false);
});

test('a grain target globs the value, ignoring case as Salt does', () => {
  assert.equal(matches('os:Debian', 'grain', web1), true);
  assert.equal(matches('os:debian', 'grain', web1), true);
  assert.equal(matches('os:Deb*', 'grain', web1), true);
  assert.equal(matches('os:Debian', 'grain', db1), false);
  assert.equal(matches('os:*', 'grain', web1), true);
  assert.equal(matches('nosuch:*', 'grain', web1), false);
});

test('a grain holding a list matches when any element matches', () => {
  assert.equal(matches('roles:web', 'grain', web1), true);
  assert.equal(matches('roles:l?', 'grain', web1), true);
  assert.equal(matches('roles:db', 'grain', web1), false);
  assert.equal(matches('roles:db', 'grain', db1), true);
});

test('nested grain keys are joined by the delimiter, and list indexes work', () => {
  assert.equal(matches('ip_interfaces:eth0:10.*', 'grain', web1), true);
  assert.equal(matches('ip_interfaces:lo:10.*', 'grain', web1), false);
  assert.equal(matches('ip_interfaces:eth0:0:10.0.0.5', 'grain', web1), true);
  assert.equal(matches('ip_interfaces:eth0:-1:10.0.0.5', 'grain', web1), true);
  assert.equal(matches('services:nginx:port:80', 'grain', web1), true);
  assert.equal(matches('ip_interfaces|eth0|10.*', 'grain', web1, '|'), true);
});

test('a grain value may itself contain the delimiter', () => {
  assert.equal(matches('master:salt:4506', 'grain', web1), true);
  assert.equal(matches('master:salt:*', 'grain', web1), true);
});

test('naming a key of a dict grain matches, as Salt checks for the key', () => {
  assert.equal(matches('services:nginx', 'grain', web1), true);
  assert.equal(matches('services:apache', 'grain', web1), false);
  // A leading '*' key searches every top-level value.
  assert.equal(matches('*:Debian', 'grain', web1), true);
  assert.equal(matches('*:Ubuntu', 'grain', web1), false);
});

test('non-string grain values are compared as Python prints them', () => {
  assert.equal(matches('num_cpus:4', 'grain', web1), true);
  assert.equal(matches('virtual:True', 'grain', web1), true);
  assert.equal(matches('virtual:true', 'grain', web1), true);
  assert.equal(matches('serial:None', 'grain', web1), true);
});

test('a grain target without the delimiter is refused', () => {
  assert.throws(() => matches('Debian', 'grain', web1), { code: 'ERR_TARGET' });
  assert.throws(() => matches('os:Debian', 'grain', web1, ''), { code: 'ERR_TARGET' });
});

test('grain_pcre matches the value with a start-anchored regex, ignoring case', () => {
  assert.equal(matches('os:(Debian|Ubuntu)', 'grain_pcre', web1), true);
  assert.equal(matches('os:deb', 'grain_pcre', web1), true);
  assert.equal(matches('os:ebian', 'grain_pcre', web1), false);
  assert.equal(matches('roles:^w.b$', 'grain_pcre', web1), true);
  assert.equal(matches('os:\\S+$', 'grain_pcre', web1), true);
  assert.throws(() => matches('os:Deb(', 'grain_pcre', web1), { code: 'ERR_TARGET' });
});

test('pillar targets work like grain targets on pillar data', () => {
  assert.equal(matches('role:web', 'pillar', web1), true);
  assert.equal(matches('role:w*', 'pillar', web1), true);
  // Salt looks through the dicts of a list: the first with `name` is alice, and then each is tried whole.
  assert.equal(matches('users:name:bob', 'pillar', web1), true);
  assert.equal(matches('users:name:carol', 'pillar', web1), false);
  assert.equal(matches('users:1:name:bob', 'pillar', web1), true);
  assert.equal(matches('users:name', 'pillar', web1), true);
  assert.equal(matches('role:^d', 'pillar_pcre', db1), true);
  assert.equal(matches('role:web', 'pillar_exact', web1), true);
  assert.equal(matches('role:w*', 'pillar_exact', web1), false);
});

test('ipcidr matches a network or a single address against the ipv4 and ipv6 grains', () => {
  assert.equal(matches('10.0.0.0/24', 'ipcidr', web1), true);
  assert.equal(matches('10.0.0.0/24', 'ipcidr', db1), false);
  assert.equal(matches('10.0.0.0/8', 'ipcidr', db1), true);
  assert.equal(matches('10.0.1.7', 'ipcidr', db1), true);
  assert.equal(matches('2001:db8::/32', 'ipcidr', web1), true);
  assert.equal(matches('2001:0db8:0:0:0:0:0:5', 'ipcidr', web1), true);
  assert.equal(matches('::ffff:10.0.0.5', 'ipcidr', web1), false);
  assert.equal(matches('2001:db8::/32', 'ipcidr', db1), false);
  assert.equal(matches('10.0.0.0/24', 'ipcidr', bare), false);
});

test('an ipcidr target that Python would refuse is a TargetError', () => {
  for (const bad of ['10.0.0.1/24', '10.0.0/24', '10.0.0.0/33', '010.0.0.1', 'web1', '1::2::3']) {
    assert.throws(() => matches(bad, 'ipcidr', web1), { code: 'ERR_TARGET' }, bad);
  }
});

test('an unknown or unsupported target type is a TargetError', () => {
  assert.throws(() => matches('web1', 'regex', web1), { code: 'ERR_TARGET' });
  assert.throws(() => matches('group1', 'nodegroup', web1), { code: 'ERR_TARGET' });
  assert.throws(() => matches(['web1'], 'glob', web1), { code: 'ERR_TARGET' });
  assert.throws(() => matches('(', 'pcre', web1), { code: 'ERR_TARGET' });
});

test('the minion side is exact: a minion without grains is not matched by a grain target', () => {
  assert.equal(matches('os:Debian', 'grain', bare), false);
  assert.equal(matchTarget('os:Debian', 'grain', bare, { greedy: true }), true);
});

test('resolveTarget returns the matching ids sorted', () => {
  const found = resolveTarget('*1', 'glob', [web1, db1, { id: 'a1' }, { id: 'zz' }]);
  assert.deepEqual(found, { minions: ['a1', 'db1', 'web1'], missing: [] });
});

test('resolveTarget reports listed ids that are not candidates as missing', () => {
  const found = resolveTarget('web1,ghost,db1,ghost', 'list', [web1, db1]);
  assert.deepEqual(found, { minions: ['db1', 'web1'], missing: ['ghost'] });
  assert.deepEqual(resolveTarget('web*', 'glob', [db1]), { minions: [], missing: [] });
});

test('resolveTarget is greedy by default: minions without grains stay in for grain terms', () => {
  const all = [web1, db1, bare];
  assert.deepEqual(resolveTarget('os:Debian', 'grain', all).minions, ['new1', 'web1']);
  assert.deepEqual(resolveTarget('os:Debian', 'grain', all, { greedy: false }).minions, ['web1']);
  assert.deepEqual(resolveTarget('10.0.0.0/8', 'ipcidr', all).minions, ['db1', 'new1', 'web1']);
  assert.deepEqual(resolveTarget('role:db', 'pillar', all).minions, ['db1', 'new1']);
});

test('resolveTarget validates the target before looking at candidates', () => {
  assert.throws(() => resolveTarget('web1 and', 'compound', []), { code: 'ERR_TARGET' });
});
