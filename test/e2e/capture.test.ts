import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { cli, minionReady, startMaster, startMinion } from './harness.js';

const tcpdump = spawnSync('tcpdump', ['--version']);
const canCapture = tcpdump.status === 0 && process.getuid?.() === 0;

test(
  'a capture of the master port during a job holds neither the secret argument nor its output',
  { timeout: 90_000, skip: canCapture ? false : 'tcpdump is missing or this is not root: the capture test needs both' },
  async (t) => {
    const master = await startMaster(t, { auto_accept: true });
    const minion = await startMinion(t, master, 'vault1');
    await minionReady(minion);
    const pcap = join(master.dir, 'capture.pcap');
    let errText = '';
    const dump = spawn('tcpdump', ['-i', 'lo', '-U', '-Z', 'root', '-w', pcap, `tcp port ${master.port}`], { stdio: ['ignore', 'ignore', 'pipe'] });
    t.after(() => dump.kill('SIGKILL'));
    await new Promise<void>((resolve, reject) => {
      dump.stderr.on('data', (d: Buffer) => { errText += d.toString(); if (d.toString().includes('listening on')) resolve(); });
      dump.once('exit', (code) => reject(new Error(`tcpdump exited ${code}: ${errText}`)));
    });
    // tcpdump announces itself before its filter is live on some kernels: make traffic until the
    // capture file shows packets, so the job below is certainly captured
    const { stat } = await import('node:fs/promises');
    const { eventually } = await import('./harness.js');
    await eventually(async () => {
      await cli(master, 'salt', ['vault1', 'test.ping']);
      return (await stat(pcap)).size > 200;
    }, 30_000, 'tcpdump capturing');
    const secret = `TOPSECRET-${Date.now()}-value`;
    const result = await cli(master, 'salt', ['vault1', 'cmd.run', `echo ${secret} | rev; echo ${secret}`]);
    assert.equal(result.code, 0, result.stderr);
    assert.ok(result.stdout.includes(secret), 'the job ran and returned the secret to the CLI');
    dump.kill('SIGINT');
    await new Promise((resolve) => dump.once('exit', resolve));
    const bytes = await readFile(pcap);
    assert.ok(bytes.length > 2000, `the capture holds the job's traffic (${bytes.length} bytes)`);
    assert.ok(!bytes.includes(Buffer.from(secret)), 'the secret never crossed the wire in clear');
    assert.ok(!bytes.includes(Buffer.from([...secret].reverse().join(''))), 'nor did the output');
    assert.ok(!bytes.includes(Buffer.from('cmd.run')), 'nor the function name');
  },
);
