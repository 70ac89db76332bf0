/**
 * Salt's pkg states (salt/states/pkg.py) for apt systems: installed, latest, removed, purged, with
 * Salt's comments and changes. Versions are exact ('2.10-3', epoch optional) or 'latest'; comparison
 * operators and wildcards are refused. `refresh` runs apt-get update only when it is true (Salt's
 * once-per-run default refresh is not reproduced), and never in test mode.
 */
import type { StateFunction, StateResult } from '@saltmq/common';
import type { StateDeps } from './deps.js';
import { AptError, UNSUPPORTED, aptAvailable, fulfills, install, latestVersion, listPkgs, policy, refreshDb, uninstall } from './pkg-apt.js';
import { asBool, isRecord, newRet, optStr, pyStr } from './util.js';

type Desired = Map<string, string | null>;

/** Salt's `_repack_pkgs`: `- foo` and `- bar: 1.2` entries as name → version (null for any). */
function desiredOf(name: string, args: Record<string, unknown>): Desired | string {
  const out: Desired = new Map();
  if (Array.isArray(args.pkgs)) {
    for (const item of args.pkgs) {
      if (isRecord(item)) for (const [n, v] of Object.entries(item)) out.set(n, optStr(v) ?? null);
      else out.set(pyStr(item), null);
    }
  } else out.set(name, optStr(args.version) ?? null);
  for (const v of out.values()) {
    if (v && v !== 'latest' && /^[<>=!~]|\*/.test(v)) return `Version comparisons and wildcards ('${v}') are not supported by saltmq pkg states: give an exact version`;
  }
  return out;
}

/** Salt's `_get_desired_pkg`: name, or name=version. */
function desiredPkg(name: string, desired: Desired): string {
  const v = desired.get(name);
  return `${name}${!v || /^[<>=]/.test(v) ? '' : '='}${v ?? ''}`;
}

async function guard(name: string, args: Record<string, unknown>): Promise<StateResult | undefined> {
  if (Array.isArray(args.pkgs) && args.pkgs.length === 0) return { ...newRet(name), comment: 'No packages to install provided' };
  if (!(await aptAvailable())) return { ...newRet(name, false), comment: UNSUPPORTED };
  // installing .deb files from URLs (sources) and apt holds are not implemented: say so rather than ignore them
  if (args.sources !== undefined && args.sources !== null) return { ...newRet(name, false), comment: 'The "sources" parameter is not supported by saltmq' };
  if (args.hold !== undefined && args.hold !== null) return { ...newRet(name, false), comment: 'The "hold" parameter is not supported by saltmq' };
  return undefined;
}

function aptFailure(name: string, error: unknown, what: string): StateResult {
  if (error instanceof AptError) return { name, result: false, changes: error.changes, comment: error.comment };
  return { name, result: false, changes: {}, comment: `An error was encountered while ${what} package(s): ${error instanceof Error ? error.message : String(error)}` };
}

export function pkgStates(deps: StateDeps): Record<string, StateFunction> {
  /** apt-get update when `refresh: True` (not in test mode); a failure is the state's result. */
  const refresh = async (name: string, args: Record<string, unknown>, test: boolean): Promise<StateResult | undefined> => {
    if (!asBool(args.refresh, false) || test) return undefined;
    try {
      await refreshDb(deps);
      return undefined;
    } catch (error) {
      return aptFailure(name, error, 'refreshing');
    }
  };

  const installed: StateFunction = async (name, args, ctx) => {
    const early = await guard(name, args);
    if (early) return early;
    const desired = desiredOf(name, args);
    if (typeof desired === 'string') return { ...newRet(name, false), comment: desired };
    const refreshed = await refresh(name, args, ctx.test);
    if (refreshed) return refreshed;
    const cur = await listPkgs(deps);
    if (!Array.isArray(args.pkgs)) {
      const version = desired.get(name) ?? null;
      if (version && version !== 'latest' && fulfills(cur[name], version)) return { ...newRet(name), comment: `Version ${version} of package '${name}' is already installed` };
      if (cur[name] && !version) return { ...newRet(name), comment: `Package ${name} is already installed` };
    }
    const unknown: string[] = [];
    for (const [pkg, version] of desired) {
      if (!fulfills(cur[pkg], version === 'latest' ? null : version) && !(await policy(deps, pkg)).known) unknown.push(pkg);
    }
    if (unknown.length > 0) {
      return { ...newRet(name, false), comment: `The following package(s) were not found, and no possible matches were found in the package db: ${unknown.sort().join(', ')}` };
    }
    for (const [pkg, version] of desired) {
      if (version === 'latest') desired.set(pkg, (await latestVersion(deps, pkg)) || (cur[pkg]?.split(',').pop() ?? null));
    }
    const targets = [...desired].filter(([pkg, version]) => !fulfills(cur[pkg], version));
    const versionSpec = [...desired].some(([pkg, version]) => cur[pkg] && version);
    if (targets.length === 0) {
      return { ...newRet(name), comment: `All specified packages are already installed${versionSpec ? ' and are at the desired version' : ''}` };
    }
    if (ctx.test) {
      const changes = Object.fromEntries(targets.map(([pkg]) => [pkg, { new: 'installed', old: '' }]));
      return { name, changes, result: null, comment: `The following packages would be installed/updated: ${targets.map(([p]) => p).join(', ')}` };
    }
    let changes: Record<string, unknown>;
    try {
      changes = await install(deps, targets, {
        fromrepo: optStr(args.fromrepo), skipVerify: asBool(args.skip_verify, false),
        installRecommends: asBool(args.install_recommends, true), onlyUpgrade: asBool(args.only_upgrade, false),
      });
    } catch (error) {
      return aptFailure(name, error, 'installing');
    }
    const now = await listPkgs(deps);
    const targetNames = new Set(targets.map(([p]) => p));
    const ok = [...desired].filter(([pkg, version]) => fulfills(now[pkg], version)).map(([p]) => p);
    const modified = ok.filter((p) => targetNames.has(p));
    const notModified = ok.filter((p) => !targetNames.has(p));
    const failed = [...targetNames].filter((p) => !ok.includes(p));
    const comment: string[] = [];
    if (modified.length > 0) {
      const summary = modified.map((p) => desiredPkg(p, desired)).join(', ');
      comment.push(summary.length < 20
        ? `The following packages were installed/updated: ${summary}`
        : `${modified.length} targeted package${modified.length > 1 ? 's' : ''} ${modified.length > 1 ? 'were' : 'was'} installed/updated.`);
    }
    if (notModified.length > 0) {
      comment.push(notModified.length <= 20
        ? `The following packages were already installed: ${notModified.map((p) => desiredPkg(p, desired)).join(', ')}`
        : `${notModified.length} targeted packages were already installed`);
    }
    if (failed.length > 0) comment.unshift(`The following packages failed to install/update: ${failed.map((p) => desiredPkg(p, desired)).join(', ')}`);
    return { name, changes, result: failed.length === 0, comment: comment.join('\n') };
  };

  const uninstallState = (action: 'remove' | 'purge'): StateFunction => async (name, args, ctx) => {
    if (!(await aptAvailable())) return { ...newRet(name, false), comment: UNSUPPORTED };
    const params = desiredOf(name, args);
    if (typeof params === 'string') return { ...newRet(name, false), comment: params };
    const cur = await listPkgs(deps);
    let versionSpec = false;
    const targets: string[] = [];
    for (const [pkg, version] of params) {
      if (!cur[pkg]) continue;
      if (version) versionSpec = true;
      if (fulfills(cur[pkg], version)) targets.push(pkg);
    }
    if (targets.length === 0) {
      return { ...newRet(name), comment: `All specified packages${versionSpec ? ' (matching specified versions)' : ''} are already absent` };
    }
    if (action === 'purge') {
      const removed = await listPkgs(deps, true);
      for (const pkg of params.keys()) if (pkg in removed && !targets.includes(pkg)) targets.push(pkg);
    }
    targets.sort();
    if (ctx.test) {
      const changes = Object.fromEntries(targets.map((p) => [p, { new: `${action}d`, old: '' }]));
      return { name, changes, result: null, comment: `The following packages will be ${action}d: ${targets.join(', ')}.` };
    }
    let changes: Record<string, unknown>;
    try {
      changes = await uninstall(deps, action, targets);
    } catch (error) {
      return aptFailure(name, error, action === 'remove' ? 'removing' : 'purging');
    }
    const now = await listPkgs(deps);
    const failed = [...params.keys()].filter((p) => p in now);
    if (action === 'purge') {
      const removed = await listPkgs(deps, true);
      failed.push(...[...params.keys()].filter((p) => p in removed));
    }
    failed.sort();
    if (failed.length > 0) return { name, changes, result: false, comment: `The following packages failed to ${action}: ${failed.join(', ')}.` };
    const notInstalled = [...params.keys()].filter((p) => !targets.includes(p)).sort();
    const comment = notInstalled.length > 0
      ? `The following packages were not installed: ${notInstalled.join(', ')} The following packages were ${action}d: ${targets.join(', ')}.`
      : `All targeted packages were ${action}d.`;
    return { name, changes, result: true, comment };
  };

  const latest: StateFunction = async (name, args, ctx) => {
    const early = await guard(name, args);
    if (early) return early;
    const pkgs = Array.isArray(args.pkgs) ? args.pkgs.map((p) => (isRecord(p) ? Object.keys(p)[0] ?? '' : pyStr(p))) : undefined;
    const wanted = pkgs ?? [name];
    const refreshed = await refresh(name, args, ctx.test);
    if (refreshed) return refreshed;
    const cur = await listPkgs(deps);
    const targets = new Map<string, string>();
    const problems: string[] = [];
    for (const pkg of wanted) {
      const avail = await latestVersion(deps, pkg);
      if (avail) targets.set(pkg, avail);
      else if (!cur[pkg]) problems.push(`No information found for '${pkg}'.`);
    }
    if (problems.length > 0) return { ...newRet(name, false), comment: problems.join(' ') };
    if (targets.size === 0) {
      const comment = wanted.length > 10 ? `All ${wanted.length} packages are up-to-date.`
        : wanted.length > 1 ? `All packages are up-to-date (${[...wanted].sort().join(', ')}).` : `Package ${wanted[0]} is already up-to-date`;
      return { ...newRet(name), comment };
    }
    const upToDate = (pkgs ?? []).filter((p) => !targets.has(p)).sort();
    const names = [...targets.keys()].sort();
    if (ctx.test) {
      const lines = [`The following packages would be installed/upgraded: ${names.join(', ')}`];
      if (upToDate.length > 0) {
        lines.push(upToDate.length <= 10 ? `The following packages are already up-to-date: ${upToDate.map((p) => `${p} (${cur[p]})`).join(', ')}` : `${upToDate.length} packages are already up-to-date`);
      }
      return { name, changes: {}, result: null, comment: lines.join('\n') };
    }
    let changes: Record<string, unknown>;
    try {
      changes = await install(deps, names.map((p) => [p, null]), { fromrepo: optStr(args.fromrepo), skipVerify: asBool(args.skip_verify, false) });
    } catch (error) {
      return { ...newRet(name, false), comment: `An error was encountered while installing package(s): ${error instanceof AptError ? error.comment : String(error)}` };
    }
    const upToDateText = upToDate.length <= 10 ? `The following packages were already up-to-date: ${upToDate.join(', ')}` : `${upToDate.length} packages were already up-to-date `;
    if (Object.keys(changes).length === 0) {
      let comment = names.length > 10 ? `${names.length} targeted packages failed to update. See debug log for details.`
        : names.length > 1 ? `The following targeted packages failed to update. See debug log for details: (${names.join(', ')}).` : `Package ${names[0]} failed to update.`;
      if (upToDate.length > 0) comment += ` ${upToDateText}`;
      return { name, changes, result: false, comment };
    }
    const failed = names.filter((p) => (changes[p] as { new?: string } | undefined)?.new !== targets.get(p));
    const comments: string[] = [];
    if (failed.length > 0) comments.push(`The following packages failed to update: ${failed.join(', ')}`);
    const ok = names.filter((p) => !failed.includes(p));
    if (ok.length > 0) comments.push(`The following packages were successfully installed/upgraded: ${ok.join(', ')}`);
    if (upToDate.length > 0) comments.push(upToDateText);
    return { name, changes, result: failed.length === 0, comment: comments.join(' ') };
  };

  return { installed, latest, removed: uninstallState('remove'), purged: uninstallState('purge') };
}
