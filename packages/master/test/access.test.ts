import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseCallClientId, parseCallTopic } from '@saltmq/common';
import { canReceive, canSubscribe, connectProblem, publishProblem, type Session } from '../src/broker/access.js';

const pending: Session = { role: 'pending', id: 'web1' };
const accepted: Session = { role: 'accepted', id: 'web1' };
const admin: Session = { role: 'admin', id: '$admin-abc' };
const pub = (topic: string, retain = false, qos = 1) => ({ topic, retain, qos });

test('a pending minion subscribes only to its key channel and publishes nothing', () => {
  assert.ok(canSubscribe(pending, 'saltmq/minion/web1/key'));
  for (const f of ['saltmq/minion/web1/job', '#', 'salt/#', 'saltmq/minion/web2/key']) assert.ok(!canSubscribe(pending, f), f);
  assert.ok(publishProblem(pending, pub('saltmq/minion/web1/ret')));
});

test('an accepted minion reads and writes only its own channels, never retained, never $ or QoS 2', () => {
  for (const f of ['saltmq/minion/web1/job', 'saltmq/minion/web1/resp', 'saltmq/minion/web1/key']) assert.ok(canSubscribe(accepted, f), f);
  for (const f of ['saltmq/minion/+/job', 'saltmq/minion/web2/job', '$SYS/#', '#', 'salt/job/+/ret/+']) assert.ok(!canSubscribe(accepted, f), f);
  for (const t of ['saltmq/minion/web1/ret', 'saltmq/minion/web1/event', 'saltmq/minion/web1/req']) assert.equal(publishProblem(accepted, pub(t)), undefined, t);
  for (const t of ['saltmq/minion/web2/ret', 'saltmq/minion/web1/job', 'salt/auth', '$SYS/x', 'saltmq/admin/$admin-abc/req']) assert.ok(publishProblem(accepted, pub(t)), t);
  assert.ok(publishProblem(accepted, pub('saltmq/minion/web1/ret', true)), 'retain refused');
  assert.ok(publishProblem(accepted, pub('saltmq/minion/web1/ret', false, 2)), 'QoS 2 refused');
  assert.ok(publishProblem(accepted, pub('saltmq/minion/web1/ret\u0000x')), 'control characters refused');
  assert.ok(canReceive(accepted, 'saltmq/minion/web1/job') && !canReceive(accepted, 'saltmq/minion/web2/job') && !canReceive(accepted, 'salt/auth'));
});

test('an admin watches the bus and its own replies, publishes only requests', () => {
  assert.ok(canSubscribe(admin, '#') && canSubscribe(admin, 'salt/#') && !canSubscribe(admin, '$SYS/#'));
  assert.ok(canReceive(admin, 'salt/auth') && canReceive(admin, '20260101000000000000') && canReceive(admin, 'saltmq/admin/$admin-abc/resp'));
  assert.ok(!canReceive(admin, 'saltmq/minion/web1/job') && !canReceive(admin, 'saltmq/admin/$admin-other/resp') && !canReceive(admin, '$SYS/x'));
  assert.equal(publishProblem(admin, pub('saltmq/admin/$admin-abc/req')), undefined);
  assert.ok(publishProblem(admin, pub('saltmq/minion/web1/job')));
  assert.ok(publishProblem(admin, pub('salt/job/1/new')));
});

test('CONNECT identity: the client id is the minion id, admins live apart under $admin', () => {
  assert.equal(connectProblem('web1', 'web1'), undefined);
  assert.ok(connectProblem('web2', 'web1'));
  assert.ok(connectProblem('a+b', 'a+b'));
  assert.ok(connectProblem('x', undefined));
  assert.equal(connectProblem('$admin-1', '$admin'), undefined);
  assert.ok(connectProblem('web1', '$admin'));
});

const call: Session = { role: 'call', id: 'web1', call: 'abcdefgh12' };
const callPending: Session = { role: 'call-pending', id: 'web1', call: 'abcdefgh12' };

test('CONNECT identity: a saltmq-call session names its minion id and a session of its own', () => {
  assert.equal(connectProblem('web1/call/abcdefgh12', 'web1'), undefined);
  assert.ok(connectProblem('web1/call/abcdefgh12', 'web2'), 'the id in the client id must be the proven one');
  assert.ok(connectProblem('web1/call/short', 'web1'), 'the session name has a minimum length');
  assert.ok(connectProblem('web1/call/abcdefgh12/x', 'web1'));
  assert.ok(connectProblem('web1/other/abcdefgh12', 'web1'));
  assert.ok(connectProblem('web1/call/abcdefgh+2', 'web1'));
  assert.deepEqual(parseCallClientId('web1.example.com/call/abcdefgh12'), { id: 'web1.example.com', session: 'abcdefgh12' });
  assert.equal(parseCallClientId('web1'), undefined);
});

test('a call session reads only its own replies and writes only the minion events and its own requests', () => {
  assert.ok(canSubscribe(call, 'saltmq/call/web1/abcdefgh12/resp'));
  for (const f of ['saltmq/minion/web1/job', 'saltmq/minion/web1/key', 'saltmq/minion/web1/resp', 'saltmq/call/web1/otherother/resp', 'saltmq/call/web2/abcdefgh12/resp', 'saltmq/call/+/+/resp', '#']) {
    assert.ok(!canSubscribe(call, f), f);
  }
  for (const t of ['saltmq/minion/web1/event', 'saltmq/call/web1/abcdefgh12/req']) assert.equal(publishProblem(call, pub(t)), undefined, t);
  for (const t of ['saltmq/minion/web1/ret', 'saltmq/minion/web1/req', 'saltmq/minion/web2/event', 'saltmq/call/web2/abcdefgh12/req', 'saltmq/call/web1/otherother/req', 'salt/custom']) {
    assert.ok(publishProblem(call, pub(t)), t);
  }
  assert.ok(canReceive(call, 'saltmq/call/web1/abcdefgh12/resp'));
  assert.ok(!canReceive(call, 'saltmq/minion/web1/job') && !canReceive(call, 'saltmq/minion/web1/resp') && !canReceive(call, 'salt/auth'));
  assert.deepEqual(parseCallTopic('saltmq/call/web1/abcdefgh12/req'), { id: 'web1', session: 'abcdefgh12', channel: 'req' });
  assert.equal(parseCallTopic('saltmq/call/web1/abcdefgh12/job'), undefined);
});

test('a call session of a key that is not accepted may neither subscribe nor publish', () => {
  for (const f of ['saltmq/call/web1/abcdefgh12/resp', 'saltmq/minion/web1/key']) assert.ok(!canSubscribe(callPending, f), f);
  for (const t of ['saltmq/minion/web1/event', 'saltmq/call/web1/abcdefgh12/req']) assert.ok(publishProblem(callPending, pub(t)), t);
  assert.ok(!canReceive(callPending, 'saltmq/call/web1/abcdefgh12/resp'));
});
