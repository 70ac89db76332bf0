import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { coreGrains } from '../src/grains/core.js';
import { parseCpuinfo, parseMeminfo } from '../src/grains/hardware.js';
import { osReleaseGrains, parseOsRelease } from '../src/grains/os-release.js';
import { SALTMQ_VERSION } from '../src/grains/version.js';
import { detectVirtual } from '../src/grains/virtual.js';

const osRelease = parseOsRelease(await readFile('/etc/os-release', 'utf8').catch(() => ''));

test('core grains describe this machine with Salt names and types', { timeout: 30_000 }, async () => {
  const g = await coreGrains('web1', {});
  assert.equal(g.id, 'web1');
  assert.equal(g.kernel, 'Linux');
  assert.equal(typeof g.kernelrelease, 'string');
  assert.equal(g.saltversion, SALTMQ_VERSION);
  assert.equal(g.saltmq, true);
  assert.ok(Number.isInteger(g.num_cpus) && (g.num_cpus as number) > 0);
  assert.ok(Number.isInteger(g.mem_total) && (g.mem_total as number) > 0, 'mem_total is whole MiB');
  assert.ok((g.ipv4 as string[]).includes('127.0.0.1'));
  assert.ok((g.ipv6 as string[]).includes('::1'));
  for (const key of ['host', 'fqdn', 'nodename', 'localhost', 'cpu_model', 'cpuarch', 'osarch', 'init', 'virtual', 'shell', 'path', 'username']) {
    assert.equal(typeof g[key], 'string', `${key} is a string`);
  }
  assert.equal(g.host, String(g.fqdn).split('.')[0]);
  assert.ok(Number.isInteger(g.server_id));
});

test('on Debian the os grains come from os-release as Salt derives them', { timeout: 30_000 }, async (t) => {
  if (osRelease.ID !== 'debian') return t.skip('not a Debian machine');
  const g = await coreGrains('web1', {});
  assert.equal(g.os, 'Debian');
  assert.equal(g.os_family, 'Debian');
  assert.equal(g.osfullname, osRelease.NAME);
  assert.equal(g.osrelease, osRelease.VERSION_ID);
  assert.equal(g.osmajorrelease, Number(osRelease.VERSION_ID));
  assert.equal(g.oscodename, osRelease.VERSION_CODENAME);
  assert.equal(g.osfinger, `Debian-${osRelease.VERSION_ID}`);
  assert.match(String(g.osarch), /^(amd64|arm64|i386|armhf|ppc64el|s390x)$/);
});

test('static grains from the config win; nested dicts merge only with grains_deep_merge', { timeout: 30_000 }, async () => {
  const shallow = await coreGrains('web1', { roles: ['web'], os: 'Custom', locale_info: { timezone: 'X' } });
  assert.deepEqual(shallow.roles, ['web']);
  assert.equal(shallow.os, 'Custom');
  assert.deepEqual(shallow.locale_info, { timezone: 'X' });
  const deep = await coreGrains('web1', { locale_info: { timezone: 'X' } }, { deepMerge: true });
  assert.equal((deep.locale_info as Record<string, unknown>).timezone, 'X');
  assert.ok('defaultencoding' in (deep.locale_info as Record<string, unknown>));
});

test("os-release names map to Salt's os and os_family grains", () => {
  const cases: [string, string, string][] = [
    ['NAME="Debian GNU/Linux"\nID=debian\nVERSION_ID="12"\nVERSION_CODENAME=bookworm', 'Debian', 'Debian'],
    ['NAME="Ubuntu"\nID=ubuntu\nID_LIKE=debian\nVERSION_ID="22.04"\nVERSION_CODENAME=jammy', 'Ubuntu', 'Debian'],
    ['NAME="Rocky Linux"\nID="rocky"\nID_LIKE="rhel centos fedora"\nVERSION_ID="9.3"', 'Rocky', 'RedHat'],
    ['NAME="AlmaLinux"\nID="almalinux"\nID_LIKE="rhel centos fedora"\nVERSION_ID="9.3"', 'AlmaLinux', 'RedHat'],
    ['NAME="CentOS Stream"\nID="centos"\nID_LIKE="rhel fedora"\nVERSION_ID="9"', 'CentOS Stream', 'RedHat'],
    ['NAME="Fedora Linux"\nID=fedora\nVERSION_ID=39', 'Fedora', 'RedHat'],
    ['NAME="Arch Linux"\nID=arch', 'Arch', 'Arch'],
    ['NAME="openSUSE Leap"\nID="opensuse-leap"\nID_LIKE="suse opensuse"\nVERSION_ID="15.5"', 'openSUSE Leap', 'Suse'],
    ['NAME="Alpine Linux"\nID=alpine\nVERSION_ID=3.19.1', 'Alpine', 'Alpine'],
    ['NAME="Pop!_OS"\nID=pop\nID_LIKE="ubuntu debian"\nVERSION_ID="22.04"', 'Pop', 'Debian'],
  ];
  for (const [text, os, family] of cases) {
    const g = osReleaseGrains(parseOsRelease(text));
    assert.deepEqual([g.os, g.os_family], [os, family], text.split('\n')[0]);
  }
  const ubuntu = osReleaseGrains(parseOsRelease(cases[1]![0]));
  assert.deepEqual([ubuntu.osfinger, ubuntu.osrelease_info, ubuntu.osmajorrelease, ubuntu.oscodename], ['Ubuntu-22.04', [22, 4], 22, 'jammy']);
  const rocky = osReleaseGrains(parseOsRelease(cases[2]![0]));
  assert.equal(rocky.osfinger, 'Rocky Linux-9');
});

test('cpuinfo and meminfo parse into Salt units', () => {
  const cpu = parseCpuinfo('processor\t: 0\nmodel name\t: Intel(R) Xeon\nflags\t: fpu vme\n\nprocessor\t: 1\nmodel name\t: Intel(R) Xeon\n');
  assert.deepEqual(cpu, { num_cpus: 2, cpu_model: 'Intel(R) Xeon', cpu_flags: ['fpu', 'vme'] });
  assert.deepEqual(parseMeminfo('MemTotal:       16384000 kB\nSwapTotal:       2097148 kB\n'), { mem_total: 16000, swap_total: 2047 });
});

test('the virtual grain tells hypervisors and containers apart', () => {
  assert.deepEqual(detectVirtual({}), { virtual: 'physical' });
  assert.deepEqual(detectVirtual({ detectVirt: 'kvm\n' }), { virtual: 'kvm' });
  assert.deepEqual(detectVirtual({ detectVirt: 'vmware' }), { virtual: 'VMware' });
  assert.deepEqual(detectVirtual({ productName: 'VirtualBox\n' }), { virtual: 'VirtualBox' });
  assert.deepEqual(detectVirtual({ detectVirt: 'docker' }), { virtual: 'container', virtual_subtype: 'Docker' });
  assert.deepEqual(detectVirtual({ cgroup: '12:pids:/docker/abc\n' }), { virtual: 'container', virtual_subtype: 'Docker' });
  assert.deepEqual(detectVirtual({ detectVirt: 'kvm', environ: 'PATH=/bin\0container=lxc\0' }), { virtual: 'container', virtual_subtype: 'LXC' });
  assert.deepEqual(detectVirtual({ dockerenv: true }), { virtual: 'container', virtual_subtype: 'Docker' });
  assert.deepEqual(detectVirtual({ cgroup: '1:name=x:/kubepods/pod1\n' }), { virtual: 'virtual', virtual_subtype: 'kubernetes' });
});
