import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { ConfigError } from '../errors.js';

/** A config merged from the main file and its `.d/*.conf` drop-ins, remembering where each option came from. */
export interface RawConfig {
  values: Record<string, unknown>;
  /** option name → the file that set it last */
  sources: Map<string, string>;
  files: string[];
}

/**
 * Reads `dir/name` (YAML, Salt's option names) and then `dir/name.d/*.conf` in name order, as Salt's
 * `default_include` does; later files override earlier ones. A missing main file is an empty config.
 * YAML errors become a ConfigError naming the file and line.
 */
export async function readConfigDir(dir: string, name: 'master' | 'minion'): Promise<RawConfig> {
  const raw: RawConfig = { values: Object.create(null) as Record<string, unknown>, sources: new Map(), files: [] };
  await mergeFile(raw, join(dir, name), true);
  const dropDir = join(dir, `${name}.d`);
  const dropIns = await readdir(dropDir).catch(() => [] as string[]);
  for (const file of dropIns.filter((f) => f.endsWith('.conf')).sort()) await mergeFile(raw, join(dropDir, file), false);
  return raw;
}

async function mergeFile(raw: RawConfig, path: string, optional: boolean): Promise<void> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (optional && (error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw new ConfigError([`cannot read the file: ${(error as Error).message}`], path);
  }
  let doc: unknown;
  try {
    doc = yaml.load(text, { filename: path });
  } catch (error) {
    const mark = (error as { mark?: { line: number } }).mark;
    const where = mark ? ` at line ${mark.line + 1}` : '';
    throw new ConfigError([`YAML error${where}: ${(error as { reason?: string }).reason ?? (error as Error).message}`], path);
  }
  raw.files.push(path);
  if (doc === null || doc === undefined) return;
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new ConfigError(['the file must hold a YAML mapping of options'], path);
  for (const [key, value] of Object.entries(doc as Record<string, unknown>)) {
    raw.values[key] = value;
    raw.sources.set(key, path);
  }
}
