import { createHash } from 'node:crypto';
import { access, readFile } from 'node:fs/promises';
import { arch, machine, release, type as osType, userInfo, version } from 'node:os';
import type { Json } from '@saltmq/common';
import type { Grains } from '../loader.js';
import { runQuiet } from '../process/quiet.js';
import { groupName } from '../process/users.js';
import { cpuGrains, parseMeminfo } from './hardware.js';
import { interfaceGrains, nameGrains } from './network.js';
import { osReleaseGrains, parseLsbRelease, parseOsRelease } from './os-release.js';
import { dictUpdate } from './traverse.js';
import { SALTMQ_VERSION, SALTMQ_VERSION_INFO } from './version.js';
import { virtualGrains } from './virtual.js';

const readText = (path: string) => readFile(path, 'utf8').catch(() => undefined);
const exists = (path: string) => access(path).then(() => true, () => false);

export interface CoreGrainsOptions {
  /** Salt's grains_deep_merge: merge nested dicts of the static grains instead of replacing them. @default false */
  deepMerge?: boolean;
}

/**
 * The grains of this machine, computed once at start-up, with the static `grains` from the minion
 * config laid over them last (Salt: `grains_data.update(opts['grains'])`, recursive only with
 * grains_deep_merge). Every probe is best effort: a missing file leaves its grains out, never fails.
 */
export async function coreGrains(id: string, extra: Record<string, unknown>, options: CoreGrainsOptions = {}): Promise<Grains> {
  const [osRelease, lsbRelease, cpuinfo, meminfo, machineId, names] = await Promise.all([
    readText('/etc/os-release').then((t) => t ?? readText('/usr/lib/os-release')),
    readText('/etc/lsb-release'),
    readText('/proc/cpuinfo'),
    readText('/proc/meminfo'),
    readText('/etc/machine-id').then((t) => t ?? readText('/var/lib/dbus/machine-id')),
    nameGrains(),
  ]);
  const kernel = osType();
  const cpuarch = machine();
  const osGrains: Record<string, Json> = kernel === 'Linux'
    ? { ...(lsbRelease ? parseLsbRelease(lsbRelease) : {}), ...osReleaseGrains(parseOsRelease(osRelease ?? '')) }
    : { os: kernel, os_family: kernel, osfullname: kernel };
  const user = userInfo();
  const [osarch, init, virtual, group] = await Promise.all([
    osArch(String(osGrains.os_family), cpuarch),
    initSystem(),
    virtualGrains(cpuinfo),
    groupName(user.gid),
  ]);

  const grains: Grains = {
    id,
    kernel,
    kernelrelease: release(),
    kernelversion: version(),
    cpuarch,
    osarch,
    ...osGrains,
    ...cpuGrains(cpuinfo),
    ...parseMeminfo(meminfo ?? ''),
    ...names,
    ...interfaceGrains(),
    ...virtual,
    init,
    ps: 'ps -efHww',
    saltversion: SALTMQ_VERSION,
    saltversioninfo: [...SALTMQ_VERSION_INFO],
    saltmq: true,
    nodejsversion: process.versions.node,
    nodejsarch: arch(),
    shell: process.env.SHELL ?? '/bin/sh',
    path: process.env.PATH ?? '',
    pid: process.pid,
    cwd: process.cwd(),
    uid: user.uid,
    gid: user.gid,
    username: user.username,
    groupname: group ?? '',
    server_id: serverId(id),
    locale_info: localeInfo(),
  };
  if (machineId?.trim()) grains.machine_id = machineId.trim();
  if (init === 'systemd') {
    const systemd = await systemdGrain();
    if (systemd) grains.systemd = systemd;
  }
  if (options.deepMerge) dictUpdate(grains, extra);
  else Object.assign(grains, structuredClone(extra));
  return grains;
}

// Salt's _osarch: the package architecture (dpkg's amd64, rpm's x86_64), else the CPU's.
async function osArch(family: string, cpuarch: string): Promise<string> {
  const result =
    family === 'Debian' ? await runQuiet('dpkg', ['--print-architecture'])
    : family === 'RedHat' || family === 'Suse' ? await runQuiet('rpm', ['--eval', '%{_host_cpu}'])
    : undefined;
  const text = result?.code === 0 ? result.stdout.trim() : '';
  return text || cpuarch;
}

// Salt's _linux_init_system, shortened: systemd by its runtime dir, else a few known pid-1 programs.
async function initSystem(): Promise<string> {
  if (await exists('/run/systemd/system')) return 'systemd';
  const cmdline = (await readText('/proc/1/cmdline'))?.split('\0').filter(Boolean) ?? [];
  const base = (cmdline[0] ?? '').split('/').pop() ?? '';
  if (['supervisord', 'dumb-init', 'tini', 'runit'].includes(base)) return base;
  if (cmdline.some((a) => a.endsWith('supervisord'))) return 'supervisord';
  if (cmdline.includes('/sbin/my_init')) return 'runit';
  return 'unknown';
}

async function systemdGrain(): Promise<Record<string, Json> | undefined> {
  const result = await runQuiet('systemctl', ['--version']);
  const lines = result?.code === 0 ? result.stdout.split('\n') : [];
  const ver = lines[0]?.split(/\s+/)[1];
  return ver ? { version: ver, features: lines[1] ?? '' } : undefined;
}

// Salt's get_server_id: sha256 of the id as a big integer, modulo 2**31.
function serverId(id: string): number {
  return Number(BigInt(`0x${createHash('sha256').update(id).digest('hex')}`) % 2n ** 31n);
}

function localeInfo(): Record<string, Json> {
  const lang = process.env.LC_ALL || process.env.LC_CTYPE || process.env.LANG || '';
  const [language, encoding] = lang.split('.');
  const zone = new Intl.DateTimeFormat('en-US', { timeZoneName: 'short' }).formatToParts(new Date()).find((p) => p.type === 'timeZoneName')?.value;
  return {
    defaultlanguage: language && language !== 'C' && language !== 'POSIX' ? language : 'unknown',
    defaultencoding: encoding ?? 'unknown',
    detectedencoding: 'utf-8',
    timezone: zone ?? 'unknown',
  };
}
