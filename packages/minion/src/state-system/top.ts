import { matchTarget, messageOf } from '@saltmq/common';
import type { Grains } from '../loader.js';
import type { SlsSource } from './sls-source.js';

/**
 * Salt's highstate top: `top.sls` (from every environment that has one, merged) maps environments to
 * targets to SLS lists; a target matches this minion by glob, or by the `- match: grain|pcre|list|
 * compound|pillar` entry in its list. Returns the SLS names per environment, in file order.
 */
export async function topMatches(
  source: SlsSource,
  envs: readonly string[],
  minion: { id: string; grains: Grains; pillar: Record<string, unknown> },
  context: Record<string, unknown>,
): Promise<{ matches: Record<string, string[]>; errors: string[] }> {
  const matches: Record<string, string[]> = {};
  const errors: string[] = [];
  let found = false;
  for (const env of envs) {
    let top: unknown;
    try {
      top = await source.render('top.sls', env, { ...context, sls: 'top' });
    } catch (error) {
      errors.push(`Rendering the top file in saltenv '${env}' failed: ${messageOf(error)}`);
      continue;
    }
    if (top === undefined) continue;
    found = true;
    if (!top || typeof top !== 'object' || Array.isArray(top)) {
      errors.push(`The top file in saltenv '${env}' must be a mapping of environments`);
      continue;
    }
    for (const [topEnv, targets] of Object.entries(top as Record<string, unknown>)) {
      if (!targets || typeof targets !== 'object' || Array.isArray(targets)) continue;
      for (const [target, entries] of Object.entries(targets as Record<string, unknown>)) {
        const list = Array.isArray(entries) ? entries : typeof entries === 'string' ? [entries] : [];
        const matcher = list.find((e): e is { match: string } => !!e && typeof e === 'object' && 'match' in e);
        let matched = false;
        try {
          matched = matchTarget(target, matcher?.match ?? 'glob', { id: minion.id, grains: minion.grains, pillar: minion.pillar });
        } catch (error) {
          errors.push(`The top file target '${target}' cannot be read: ${messageOf(error)}`);
        }
        if (!matched) continue;
        const mods = (matches[topEnv] ??= []);
        for (const entry of list) if (typeof entry === 'string' && !mods.includes(entry)) mods.push(entry);
      }
    }
  }
  if (!found && errors.length === 0) errors.push('No Top file or master_tops data matches found.');
  return { matches, errors };
}
