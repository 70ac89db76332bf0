/**
 * The apt/dpkg calls behind the pkg states, as Salt's aptpkg module makes them (list_pkgs through
 * dpkg-query, latest_version through apt-cache policy, install/remove/purge through apt-get with
 * dpkg's non-interactive environment). Every command goes out through cmd.run_all.
 */
import { which } from '../process/which.js';
import { execArgv, type StateDeps } from './deps.js';

/** Salt's DPKG_ENV_VARS: no prompts, no listbugs/listchanges pagers, keep old config files. */
export const DPKG_ENV: Record<string, string> = {
  APT_LISTBUGS_FRONTEND: 'none',
  APT_LISTCHANGES_FRONTEND: 'none',
  DEBIAN_FRONTEND: 'noninteractive',
  UCF_FORCE_CONFFOLD: '1',
};

export const UNSUPPORTED = 'pkg states support apt (Debian, Ubuntu) only in saltmq';

export async function aptAvailable(): Promise<boolean> {
  return (await which('apt-get')) !== null && (await which('dpkg-query')) !== null;
}

/** Package → version, installed (or, with `removed`, deinstalled with config files left). */
export type PkgList = Record<string, string>;

export async function listPkgs(deps: StateDeps, removed = false): Promise<PkgList> {
  const arch = (await execArgv(deps, ['dpkg', '--print-architecture'], { quiet: true, ignoreRetcode: true })).stdout.trim();
  const res = await execArgv(deps, ['dpkg-query', '--showformat', '${Status} ${Package} ${Version} ${Architecture}\n', '-W'], { quiet: true, ignoreRetcode: true });
  const out: PkgList = {};
  for (const line of res.stdout.split('\n')) {
    const cols = line.split(/\s+/);
    if (cols.length < 6) continue;
    const [want, , status, pkg, version, pkgArch] = cols as [string, string, string, string, string, string];
    // Salt names foreign-architecture packages name:arch
    const name = pkgArch !== 'all' && arch && pkgArch !== arch ? `${pkg}:${pkgArch}` : pkg;
    const installed = (want.includes('install') || want.includes('hold')) && status === 'installed';
    if (removed ? want.includes('deinstall') && status === 'config-files' : installed) out[name] = out[name] ? `${out[name]},${version}` : version;
  }
  return out;
}

/** Salt's salt.utils.data.compare_dicts: {pkg: {old, new}} for every package that changed. */
export function compareDicts(old: PkgList, now: PkgList): Record<string, { old: string; new: string }> {
  const ret: Record<string, { old: string; new: string }> = {};
  for (const key of new Set([...Object.keys(now), ...Object.keys(old)])) {
    if (!(key in old)) ret[key] = { old: '', new: now[key]! };
    else if (!(key in now)) ret[key] = { new: '', old: old[key]! };
    else if (now[key] !== old[key]) ret[key] = { old: old[key]!, new: now[key]! };
  }
  return ret;
}

/** apt-cache policy: the candidate version, '' when there is none; `known` is false for names apt has never heard of. */
export async function policy(deps: StateDeps, pkg: string): Promise<{ known: boolean; installed: string; candidate: string }> {
  const res = await execArgv(deps, ['apt-cache', '-q', 'policy', pkg], { quiet: true, ignoreRetcode: true });
  const field = (label: string) => new RegExp(`^\\s*${label}:\\s*(\\S+)`, 'm').exec(res.stdout)?.[1] ?? '';
  const none = (v: string) => (v === '(none)' ? '' : v);
  return { known: res.stdout.trim() !== '', installed: none(field('Installed')), candidate: none(field('Candidate')) };
}

/** Salt's aptpkg.latest_version: the candidate when it is newer than what is installed, else ''. */
export async function latestVersion(deps: StateDeps, pkg: string): Promise<string> {
  const p = await policy(deps, pkg);
  return p.candidate && p.candidate !== p.installed ? p.candidate : '';
}

export async function refreshDb(deps: StateDeps): Promise<void> {
  const res = await execArgv(deps, ['apt-get', '-q', 'update'], { env: DPKG_ENV, ignoreRetcode: true });
  if (res.retcode !== 0) throw new AptError('Error getting repos', [res.stderr || res.stdout], {});
}

/** Salt's CommandExecutionError with info: the comment shows the errors, the changes travel apart. */
export class AptError extends Error {
  constructor(readonly summary: string, readonly errors: string[], readonly changes: Record<string, unknown>) {
    super(summary);
  }

  /** strerror_without_changes: the message plus the nested-outputter rendering of the errors. */
  get comment(): string {
    const items = this.errors.map((e) => e.split('\n').map((line, i) => (i === 0 ? `    - ${line}` : `      ${line}`)).join('\n'));
    return `${this.summary}. Additional info follows:\n\nerrors:\n${items.join('\n')}`;
  }
}

export interface InstallOptions {
  fromrepo?: string | undefined;
  skipVerify?: boolean;
  installRecommends?: boolean;
  onlyUpgrade?: boolean;
}

/** Salt's aptpkg.install for repository packages: `name` or `name=version` targets, changes as compare_dicts. */
export async function install(deps: StateDeps, targets: Array<[string, string | null]>, o: InstallOptions): Promise<Record<string, unknown>> {
  const old = await listPkgs(deps);
  const cmd = ['apt-get', '-q', '-y', '-o', 'DPkg::Options::=--force-confold', '-o', 'DPkg::Options::=--force-confdef'];
  if (o.installRecommends === false) cmd.push('--no-install-recommends');
  if (o.onlyUpgrade) cmd.push('--only-upgrade');
  if (o.skipVerify) cmd.push('--allow-unauthenticated');
  if (o.fromrepo) cmd.push('-t', o.fromrepo);
  cmd.push('install', ...targets.map(([n, v]) => (v ? `${n}=${v}` : n)));
  const res = await execArgv(deps, cmd, { env: DPKG_ENV, ignoreRetcode: true });
  const changes = compareDicts(old, await listPkgs(deps));
  if (res.retcode !== 0 && res.stderr) throw new AptError('Problem encountered installing package(s)', [res.stderr], changes);
  return changes;
}

/** Salt's aptpkg._uninstall: remove returns compare_dicts; purge returns {removed, installed}. */
export async function uninstall(deps: StateDeps, action: 'remove' | 'purge', names: string[]): Promise<Record<string, unknown>> {
  const old = await listPkgs(deps);
  const oldRemoved = await listPkgs(deps, true);
  const targets = names.filter((n) => n in old || (action === 'purge' && n in oldRemoved));
  if (targets.length === 0) return {};
  const res = await execArgv(deps, ['apt-get', '-q', '-y', action, ...targets], { env: DPKG_ENV, ignoreRetcode: true });
  const changes = compareDicts(old, await listPkgs(deps));
  const ret = action === 'purge' ? { removed: compareDicts(oldRemoved, await listPkgs(deps, true)), installed: changes } : changes;
  if (res.retcode !== 0 && res.stderr) throw new AptError('Problem encountered removing package(s)', [res.stderr], ret);
  return ret;
}

/** Whether an installed version satisfies an exact desired one; no epoch in the wish ignores the epoch. */
export function fulfills(installed: string | undefined, wanted: string | null): boolean {
  if (!installed) return false;
  if (!wanted) return true;
  return installed.split(',').some((v) => v === wanted || (!wanted.includes(':') && v.replace(/^\d+:/, '') === wanted));
}
