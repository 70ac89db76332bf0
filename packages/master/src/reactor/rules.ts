import { readFile } from 'node:fs/promises';
import yaml from 'js-yaml';
import { CodedError } from '@saltmq/common';

/** One `reactor:` entry: a tag pattern and the SLS files it runs, in config order. */
export interface ReactorRule {
  pattern: string;
  sls: string[];
}

export class ReactorConfigError extends CodedError {
  constructor(message: string) {
    super('ERR_CONFIG_INVALID', message);
  }
}

/**
 * Reads Salt's `reactor:` option: a list of one-key mappings `{pattern: sls | [sls]}`, or the path of
 * a YAML file holding such a list. Salt skips malformed entries silently; saltmq names them.
 */
export async function loadRules(option: unknown): Promise<{ rules: ReactorRule[]; problems: string[] }> {
  let list = option;
  if (typeof option === 'string') {
    let text: string;
    try {
      text = await readFile(option, 'utf8');
    } catch (error) {
      throw new ReactorConfigError(`Failed to read reactor map ${option}: ${(error as Error).message}`);
    }
    try {
      list = yaml.load(text);
    } catch (error) {
      throw new ReactorConfigError(`Failed to parse YAML in reactor map ${option}: ${(error as Error).message}`);
    }
  }
  return normalizeRules(list ?? []);
}

export function normalizeRules(list: unknown): { rules: ReactorRule[]; problems: string[] } {
  const rules: ReactorRule[] = [];
  const problems: string[] = [];
  if (!Array.isArray(list)) return { rules, problems: ['reactor: must be a list of {tag: sls} mappings'] };
  list.forEach((entry, index) => {
    if (!entry || typeof entry !== 'object' || Array.isArray(entry) || Object.keys(entry).length !== 1) {
      problems.push(`reactor entry ${index + 1} is not a one-key mapping of a tag to SLS files; it is ignored`);
      return;
    }
    const [pattern, value] = Object.entries(entry as Record<string, unknown>)[0]!;
    const sls = typeof value === 'string' ? [value] : Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
    if (sls.length === 0) {
      problems.push(`reactor entry '${pattern}' names no SLS file; it is ignored`);
      return;
    }
    rules.push({ pattern, sls });
  });
  return { rules, problems };
}
