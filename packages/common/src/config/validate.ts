import type { z } from 'zod';
import { ConfigError } from '../errors.js';
import type { Logger } from '../log.js';
import type { RawConfig } from './read.js';
import { closestOption } from './suggest.js';

/**
 * Validates a merged config against a zod schema of the known options: unknown options are a warning
 * (Salt configs carry options saltmq has not built, and a user's file must still load), a known option
 * with a bad value is an error naming the file, the option and what is wrong. Every problem is
 * reported at once.
 */
export function validateConfig<S extends z.ZodObject>(schema: S, raw: RawConfig, fallbackSource: string, log: Logger): z.infer<S> {
  const known = new Set(Object.keys(schema.shape));
  for (const key of Object.keys(raw.values)) {
    if (known.has(key)) continue;
    const file = raw.sources.get(key) ?? fallbackSource;
    const suggestion = closestOption(key, known);
    if (suggestion === undefined) log.warn('unknown option ignored', { option: key, file });
    else log.warn(`unknown option ignored: did you mean '${suggestion}'?`, { option: key, file, suggestion });
  }
  const input = Object.fromEntries(Object.entries(raw.values).filter(([key]) => known.has(key)));
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const byFile = new Map<string, string[]>();
  for (const issue of parsed.error.issues) {
    const option = String(issue.path[0] ?? '');
    const file = raw.sources.get(option) ?? fallbackSource;
    const got = option in input ? ` (got ${JSON.stringify(input[option])})` : '';
    const where = issue.path.length > 1 ? issue.path.join('.') : option;
    const list = byFile.get(file) ?? [];
    list.push(`option '${where}': ${issue.message}${got}`);
    byFile.set(file, list);
  }
  const [[file, problems]] = [...byFile.entries()] as [[string, string[]]];
  const others = [...byFile.entries()].slice(1).flatMap(([f, p]) => p.map((x) => `${f}: ${x}`));
  throw new ConfigError([...problems, ...others], file);
}
