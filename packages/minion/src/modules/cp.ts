import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readFile, stat } from 'node:fs/promises';
import { dirname, isAbsolute } from 'node:path';
import { InvocationError, SlsRenderer } from '@saltmq/common';
import { isSaltUrl, type FileClient } from '../fileclient/index.js';
import { fn, type CallContext, type ExecutionFunction, type Module } from '../loader.js';
import { asBool, pyStr, splitInput } from '../process/options.js';

// Salt's cp functions take salt:// URLs; some also take a local path (Salt's file:// or a bare absolute
// path). Other schemes (http, s3, ...) need fetchers saltmq does not have, so they are refused by name.
type Source = { kind: 'salt'; url: string } | { kind: 'local'; path: string };

function sourceOf(value: unknown): Source {
  const url = pyStr(value);
  if (isSaltUrl(url)) return { kind: 'salt', url };
  const local = url.startsWith('file://') ? url.slice('file://'.length) : url;
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(local);
  if (scheme) throw new InvocationError(`saltmq fetches salt:// URLs and local paths only, not ${scheme[1]}:// ('${url}')`);
  if (!isAbsolute(local)) throw new InvocationError(`Path '${local}' is not absolute`);
  return { kind: 'local', path: local };
}

// Salt: a saltenv left out (or empty) falls back to the minion's own saltenv option, then 'base'.
function envOf(ctx: CallContext, value: unknown): string {
  if (value !== undefined && value !== null && value !== '') return pyStr(value);
  return typeof ctx.opts.saltenv === 'string' && ctx.opts.saltenv !== '' ? ctx.opts.saltenv : 'base';
}

async function localHash(path: string): Promise<{ hsum: string; hash_type: 'sha256' } | Record<string, never>> {
  if (!(await stat(path).catch(() => undefined))?.isFile()) return {};
  const hash = createHash('sha256');
  for await (const piece of createReadStream(path)) hash.update(piece as Buffer);
  return { hsum: hash.digest('hex'), hash_type: 'sha256' };
}

let renderer: SlsRenderer | undefined;

// cp.get_file's template=jinja renders the path and dest strings themselves, not the file's content.
async function renderNames(ctx: CallContext, template: unknown, saltenv: string, names: string[]): Promise<string[]> {
  if (template === undefined || template === null || template === '') return names;
  if (pyStr(template) !== 'jinja') throw new InvocationError(`Attempted to render file paths with unavailable engine ${pyStr(template)}`);
  renderer ??= new SlsRenderer();
  const context = { grains: ctx.grains, opts: ctx.opts, pillar: {}, saltenv };
  return Promise.all(names.map((name) => renderer!.renderTemplate(name, context, 'cp.get_file')));
}

/**
 * Salt's cp module over the salt:// file client. Salt's return shapes are kept: cache_file and
 * get_file_str give False for a file the master does not have, get_file and is_cached give ''.
 */
export function makeCpModule(client: () => FileClient): Module<ExecutionFunction> {
  const cacheOne = async (ctx: CallContext, path: unknown, saltenv: string): Promise<string | false> => {
    const source = sourceOf(path);
    if (source.kind === 'local') return source.path;
    const cached = await client().cacheFile(source.url, saltenv);
    if (cached === undefined) ctx.log.error(`Unable to cache file '${source.url}' from saltenv '${saltenv}'.`);
    return cached ?? false;
  };

  return {
    name: 'cp',
    functions: {
      cache_file: fn(
        ['path', 'saltenv', 'source_hash'],
        'Cache a single file from the master on the minion; returns its local path, or False when the master has no such file. ' +
          'A ?saltenv= in the URL wins over the saltenv argument.',
        (ctx, a) => cacheOne(ctx, a.path, envOf(ctx, a.saltenv)),
        { required: 1 },
      ),
      cache_files: fn(
        ['paths', 'saltenv'],
        'Cache several files (a list, or a comma-separated string); returns a list of local paths, False for each miss.',
        async (ctx, a) => {
          const results: (string | false)[] = [];
          for (const path of splitInput(a.paths)) results.push(await cacheOne(ctx, path, envOf(ctx, a.saltenv)));
          return results;
        },
        { required: 1 },
      ),
      cache_dest: fn(['url', 'saltenv'], 'Return where cp.cache_file puts a file, without checking that it is there.', (ctx, a) => {
        const source = sourceOf(a.url);
        return source.kind === 'local' ? source.path : client().cacheDest(source.url, envOf(ctx, a.saltenv));
      }, { required: 1 }),
      get_file: fn(
        ['path', 'dest', 'saltenv', 'makedirs', 'template', 'gzip'],
        "Copy a file from the master to dest (a directory keeps the file's name); returns dest, '' when the master has no such file, " +
          "or False when dest's directory is missing and makedirs is not set. template=jinja renders the path and dest strings.",
        async (ctx, a) => {
          const saltenv = envOf(ctx, a.saltenv);
          const [path, dest] = await renderNames(ctx, a.template, saltenv, [pyStr(a.path), pyStr(a.dest)]);
          // gzip is accepted for Salt compatibility; slices are already bounded by the MQTT packet size
          if (!isSaltUrl(path!)) throw new InvocationError(`Unsupported path: ${path}`);
          if (!(await client().hashFile(path!, saltenv))) return '';
          const destIsDir = dest!.endsWith('/') || (await stat(dest!).catch(() => undefined))?.isDirectory() === true;
          const destDir = destIsDir ? dest! : dirname(dest!);
          if (!(await stat(destDir).catch(() => undefined))?.isDirectory()) {
            if (!asBool(a.makedirs, false)) return false;
            await mkdir(destDir, { recursive: true });
          }
          return (await client().getFile(path!, dest!, saltenv)) ?? '';
        },
        { required: 2, anyKwargs: true },
      ),
      get_file_str: fn(['path', 'saltenv'], "Return a file's contents from the master (through the cache), or False when it cannot be cached.", async (ctx, a) => {
        const source = sourceOf(a.path);
        if (source.kind === 'local') return readFile(source.path, 'utf8').catch(() => false);
        return (await client().getFileStr(source.url, envOf(ctx, a.saltenv))) ?? false;
      }, { required: 1 }),
      hash_file: fn(
        ['path', 'saltenv'],
        "Return {hash_type, hsum} of a salt:// file on the master ('' when missing) or of a local file ({} when missing).",
        async (ctx, a) => {
          const path = pyStr(a.path);
          if (!isSaltUrl(path)) return localHash(path);
          return (await client().hashFile(path, envOf(ctx, a.saltenv))) ?? '';
        },
        { required: 1 },
      ),
      is_cached: fn(['path', 'saltenv'], "Return the local path of a cached copy of the file, or '' when there is none.", async (ctx, a) => {
        return (await client().isCached(pyStr(a.path), envOf(ctx, a.saltenv))) ?? '';
      }, { required: 1 }),
      list_master: fn(['saltenv', 'prefix'], 'List the files the master serves in a saltenv, optionally only those starting with prefix.', (ctx, a) =>
        client().listMaster(envOf(ctx, a.saltenv), a.prefix === undefined || a.prefix === null ? '' : pyStr(a.prefix)),
      ),
      list_master_dirs: fn(['saltenv', 'prefix'], 'List the directories the master serves in a saltenv.', (ctx, a) =>
        client().listMasterDirs(envOf(ctx, a.saltenv), a.prefix === undefined || a.prefix === null ? '' : pyStr(a.prefix)),
      ),
      envs: fn([], 'List the saltenvs the master serves.', () => client().envs()),
    },
  };
}
