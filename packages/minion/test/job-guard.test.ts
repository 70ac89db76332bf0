import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { encode, generateKeyPair, signText, type JobBody } from '@saltmq/common';
import { checkJob } from '../src/jobs/job-guard.js';
import { SeenJids } from '../src/jobs/seen-jids.js';

const master = await generateKeyPair(2048);
const stranger = await generateKeyPair(2048);

function envelope(body: Partial<JobBody>, key = master.privatePem): Buffer {
  const full: JobBody = { jid: '20260101000000000001', fun: 'cmd.run', arg: ['id'], tgt: 'web1', tgt_type: 'glob', user: 'root', ret: '', expires: Date.now() + 60_000, issued: Date.now(), ...body };
  const text = JSON.stringify(full);
  return encode({ v: 1, body: text, sig: signText(key, text) });
}

async function seenSet(t: { after(fn: () => Promise<void>): void }): Promise<SeenJids> {
  const dir = await mkdtemp(join(tmpdir(), 'seen-'));
  const seen = await SeenJids.open(dir);
  t.after(async () => {
    await seen.close();
    await rm(dir, { recursive: true, force: true });
  });
  return seen;
}

test('a job signed by the pinned master key and targeted at this minion passes', async (t) => {
  const verdict = checkJob(envelope({}), { masterPub: master.publicPem, seen: await seenSet(t), id: 'web1', grains: {} });
  assert.equal(verdict.ok, true);
});

test('a job signed by any other key, or altered after signing, is refused', async (t) => {
  const seen = await seenSet(t);
  const forged = checkJob(envelope({}, stranger.privatePem), { masterPub: master.publicPem, seen, id: 'web1', grains: {} });
  assert.deepEqual(forged, { ok: false, reason: 'the job is not signed by the master key this minion trusts' });
  const original = JSON.parse(envelope({}).toString()) as { body: string; sig: string };
  const altered = encode({ v: 1, body: original.body.replace('"id"', '"rm -rf /"'), sig: original.sig });
  assert.equal(checkJob(altered, { masterPub: master.publicPem, seen, id: 'web1', grains: {} }).ok, false);
  assert.equal(checkJob(Buffer.from('{"v":1,"body":"{}"}'), { masterPub: master.publicPem, seen, id: 'web1', grains: {} }).ok, false);
});

test('an expired job and a replayed job are refused with their reason, even after a restart', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'seen-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const expired = checkJob(envelope({ expires: Date.now() - 1 }), { masterPub: master.publicPem, seen: await seenSet(t), id: 'web1', grains: {} });
  assert.equal(expired.ok, false);
  assert.match((expired as { reason: string }).reason, /expired/);

  let seen = await SeenJids.open(dir);
  await seen.add('20260101000000000001', Date.now() + 60_000);
  await seen.close();
  seen = await SeenJids.open(dir); // a restarted minion still remembers
  const replay = checkJob(envelope({}), { masterPub: master.publicPem, seen, id: 'web1', grains: {} });
  await seen.close();
  assert.deepEqual(replay, { ok: false, jid: '20260101000000000001', reason: 'the job was already received (replay)' });
});

test('a signed job for another target is refused by the minion itself', async (t) => {
  const verdict = checkJob(envelope({ tgt: 'db*' }), { masterPub: master.publicPem, seen: await seenSet(t), id: 'web1', grains: {} });
  assert.deepEqual(verdict, { ok: false, jid: '20260101000000000001', reason: 'the job does not target this minion' });
  const grain = checkJob(envelope({ tgt: 'roles:web', tgt_type: 'grain' }), { masterPub: master.publicPem, seen: await seenSet(t), id: 'web1', grains: { roles: ['web'] } });
  assert.equal(grain.ok, true);
});
