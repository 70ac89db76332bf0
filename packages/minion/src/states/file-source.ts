/**
 * Where file.managed's content comes from (Salt's file.source_list + file.get_managed): the first
 * source that exists, fetched through cp.cache_file for salt:// URLs or read in place for local paths,
 * checked against source_hash, then rendered when a template is asked for.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { isAbsolute } from 'node:path';
import type { StateDeps } from './deps.js';
import { errText, isFile, isRecord, pyStr } from './util.js';

/** The hash types Salt recognises, by hex length (salt.utils.files.HASHES). */
const HASH_LENGTHS: Record<string, number> = { sha512: 128, sha384: 96, sha256: 64, sha224: 56, sha1: 40, md5: 32 };

export interface SourceSum {
  hashType: string;
  hsum: string;
}

export type Fetched = { ok: true; data: Buffer; source: string; sfn: string } | { ok: false; comment: string };

export interface FetchOptions {
  name: string;
  source: unknown;
  sourceHash: unknown;
  skipVerify: boolean;
  template: string | undefined;
  context: Record<string, unknown>;
  saltenv: string;
  /** whether the destination exists: Salt words a checksum mismatch differently for new files */
  destExists: boolean;
  /** template variables Salt adds (user, group, mode) */
  extraVars: Record<string, unknown>;
}

/** `sha256=<hex>` or a bare hex digest whose length names the type. */
export function parseSourceHash(value: unknown): SourceSum | string {
  const text = pyStr(value).trim();
  const typed = /^([a-z0-9]+)=([0-9a-fA-F]+)$/.exec(text);
  if (typed && HASH_LENGTHS[typed[1]!] === typed[2]!.length) return { hashType: typed[1]!, hsum: typed[2]!.toLowerCase() };
  const type = Object.keys(HASH_LENGTHS).find((t) => HASH_LENGTHS[t] === text.length);
  if (type && /^[0-9a-fA-F]+$/.test(text)) return { hashType: type, hsum: text.toLowerCase() };
  return `Source hash ${text} format is invalid. saltmq supports a bare hash or an expression in the format <hash_type>=<hash> (hash files are not supported)`;
}

export function hashOf(data: Uint8Array, hashType: string): string {
  return createHash(hashType).update(data).digest('hex');
}

/** A source list entry: a URL, or Salt's `{url: source_hash}` one-key mapping. */
function entries(source: unknown): Array<[string, unknown]> {
  const list = Array.isArray(source) ? source : [source];
  return list.map((item): [string, unknown] => {
    if (isRecord(item)) {
      const [url, hash] = Object.entries(item)[0] ?? ['', undefined];
      return [url, hash];
    }
    return [pyStr(item), undefined];
  });
}

function localPath(source: string): string | undefined {
  if (source.startsWith('file://')) return source.slice('file://'.length);
  return isAbsolute(source) ? source : undefined;
}

/** Finds one source: the local file (from the cache for salt://), or Salt's reason it is missing. */
async function locate(deps: StateDeps, source: string, saltenv: string): Promise<{ sfn: string } | { missing: string }> {
  if (source.startsWith('salt://')) {
    const cached = await deps.call('cp.cache_file', [source, saltenv]);
    if (typeof cached === 'string' && cached !== '') return { sfn: cached };
    return { missing: `Source file ${source} not found in saltenv '${saltenv}'` };
  }
  const local = localPath(source);
  if (local === undefined) {
    return { missing: `Unable to manage file: saltmq supports salt://, file:// and local absolute sources only, not '${source}'` };
  }
  if (!(await isFile(local))) return { missing: `Local file source ${local} does not exist` };
  return { sfn: local };
}

export async function fetchSource(deps: StateDeps, o: FetchOptions): Promise<Fetched> {
  const list = entries(o.source);
  let found: { source: string; sfn: string; hash: unknown } | undefined;
  if (list.length === 1) {
    const [source, hash] = list[0]!;
    const where = await locate(deps, source, o.saltenv);
    if ('missing' in where) return { ok: false, comment: where.missing };
    found = { source, sfn: where.sfn, hash };
  } else {
    for (const [source, hash] of list) {
      const where = await locate(deps, source, o.saltenv);
      if ('sfn' in where) {
        found = { source, sfn: where.sfn, hash };
        break;
      }
    }
    if (!found) return { ok: false, comment: 'Unable to manage file: none of the specified sources were found' };
  }
  let data: Buffer;
  try {
    data = await readFile(found.sfn);
  } catch (error) {
    return { ok: false, comment: `Unable to manage file: ${errText(error)}` };
  }

  const wanted = o.sourceHash ?? found.hash;
  if (wanted !== undefined && wanted !== null && wanted !== '' && !o.skipVerify) {
    const sum = parseSourceHash(wanted);
    if (typeof sum === 'string') return { ok: false, comment: sum };
    const actual = hashOf(data, sum.hashType);
    if (actual !== sum.hsum) {
      const comment = o.destExists
        ? `Specified ${sum.hashType} checksum for ${found.source} (${sum.hsum}) does not match actual checksum (${actual}). If the 'source_hash' value refers to a remote file with multiple possible matches, then it may be necessary to set 'source_hash_name'.`
        : `Specified ${sum.hashType} checksum for ${o.name} (${sum.hsum}) does not match actual checksum (${actual})`;
      return { ok: false, comment };
    }
  }

  if (o.template) {
    const rendered = await renderWith(deps, o.template, data.toString('utf8'), { name: o.name, source: found.source, saltenv: o.saltenv, ...o.extraVars, ...o.context }, found.source);
    if (typeof rendered !== 'string') return { ok: false, comment: rendered.error };
    data = Buffer.from(rendered, 'utf8');
  }
  return { ok: true, data, source: found.source, sfn: found.sfn };
}

/** Renders with the one template engine saltmq has (Salt's jinja); a failure becomes the comment. */
export async function renderWith(
  deps: StateDeps,
  template: string,
  text: string,
  context: Record<string, unknown>,
  name: string,
): Promise<string | { error: string }> {
  if (template !== 'jinja') return { error: `Specified template format ${template} is not supported` };
  try {
    return await deps.renderTemplate(text, context, name);
  } catch (error) {
    return { error: errText(error) };
  }
}
