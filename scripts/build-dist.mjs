#!/usr/bin/env node
// Bundles the programs into single files that need only Node.js 20 on the target machine:
//   dist/saltmq-minion.mjs   the minion agent, and saltmq-call when called by that name (busybox-style)
//   dist/saltmq-master.mjs   the master and its CLIs, busybox-style: it runs saltmq, saltmq-key or
//                            saltmq-run when called by that name (a symlink) or with that name first
// and copies the install scripts and systemd units beside them, so dist/ is the whole release:
// copy it to a machine and run `sh install-minion.sh --master HOST`.
// Usage: node scripts/build-dist.mjs [--outdir DIR]   (run `npm run build` first: it bundles packages/*/dist)
import { createHash } from 'node:crypto';
import { chmod, copyFile, mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as esbuild from 'esbuild';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({ options: { outdir: { type: 'string', default: join(ROOT, 'dist') } } });
const OUT = resolve(values.outdir);
const cli = (pkg, name) => join(ROOT, 'packages', pkg, 'dist', 'cli', `${name}.js`);
const { version } = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8'));

// The master's tools by the name a user types; the first is what the file runs by default.
const MASTER_TOOLS = { 'saltmq-master': cli('master', 'master'), saltmq: cli('master', 'salt'), 'saltmq-key': cli('master', 'key'), 'saltmq-run': cli('master', 'run') };

// The minion's: the agent, and saltmq-call on the same host.
const MINION_TOOLS = { 'saltmq-minion': cli('minion', 'minion'), 'saltmq-call': cli('minion', 'call') };

const toolsEntry = (tools) => {
  const first = Object.keys(tools)[0];
  return `
import { basename } from 'node:path';
const tools = {${Object.entries(tools).map(([name, file]) => `\n  ${JSON.stringify(name)}: () => import(${JSON.stringify(file)}),`).join('')}
};
let name = basename(process.argv[1] ?? '').replace(/\\.m?js$/, '');
// 'saltmq-master.mjs saltmq-key -L': the tool named first, as busybox does (the daemons take no operands)
if (!(name in tools) || (name === ${JSON.stringify(first)} && process.argv[2] in tools)) {
  name = process.argv[2] in tools ? process.argv.splice(2, 1)[0] : ${JSON.stringify(first)};
}
await tools[name]();
`;
};

async function bundle(name, contents) {
  const outfile = join(OUT, `${name}.mjs`);
  const result = await esbuild.build({
    stdin: { contents, resolveDir: ROOT, sourcefile: `${name}-entry.mjs`, loader: 'js' },
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    outfile,
    // error classes name themselves from new.target.name: keep names esbuild would otherwise rename
    keepNames: true,
    metafile: true,
    logLevel: 'warning',
    // CommonJS dependencies (aedes, node-forge, nunjucks) call require() for Node's built-ins
    banner: { js: `#!/usr/bin/env node\n// ${name} ${version}: saltmq bundled with its dependencies; licenses in saltmq-licenses.txt\nimport { createRequire as __saltmqRequire } from 'node:module';\nconst require = __saltmqRequire(import.meta.url);` },
  });
  await chmod(outfile, 0o755);
  return result.metafile;
}

/** The license text of every package that went into a bundle, as the MIT/BSD/ISC terms ask. */
async function licenses(metafiles) {
  const packages = new Map();
  for (const meta of metafiles) {
    for (const input of Object.keys(meta.inputs)) {
      const match = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input);
      if (match) packages.set(match[1], true);
    }
  }
  const parts = [];
  for (const dir of [...packages.keys()].sort()) {
    const pkg = JSON.parse(await readFile(join(ROOT, dir, 'package.json'), 'utf8'));
    const file = (await readdir(join(ROOT, dir))).find((f) => /^(licen[cs]e|copying)/i.test(f));
    const text = file ? await readFile(join(ROOT, dir, file), 'utf8') : `(no license file; package.json says ${pkg.license ?? 'nothing'})`;
    parts.push(`${pkg.name}@${pkg.version} (${pkg.license ?? 'unknown'})\n\n${text.trim()}\n`);
  }
  return parts.join(`\n${'-'.repeat(72)}\n\n`);
}

for (const file of [...Object.values(MASTER_TOOLS), ...Object.values(MINION_TOOLS)]) {
  if (!existsSync(file)) throw new Error(`${file} is missing: run 'npm run build' first`);
}
await mkdir(join(OUT, 'systemd'), { recursive: true });
const metas = [await bundle('saltmq-master', toolsEntry(MASTER_TOOLS)), await bundle('saltmq-minion', toolsEntry(MINION_TOOLS))];
await writeFile(join(OUT, 'saltmq-licenses.txt'), await licenses(metas));
for (const script of ['install-common.sh', 'install-master.sh', 'install-minion.sh']) {
  await copyFile(join(ROOT, 'deploy', script), join(OUT, script));
  await chmod(join(OUT, script), 0o755);
}
for (const unit of ['saltmq-master.service', 'saltmq-minion.service']) await copyFile(join(ROOT, 'deploy', 'systemd', unit), join(OUT, 'systemd', unit));
const sums = [];
for (const name of ['saltmq-master.mjs', 'saltmq-minion.mjs']) {
  const data = await readFile(join(OUT, name));
  sums.push(`${createHash('sha256').update(data).digest('hex')}  ${name}`);
  console.log(`${join(OUT, name)}  ${(data.length / 1024 / 1024).toFixed(1)} MiB`);
}
await writeFile(join(OUT, 'SHA256SUMS'), sums.join('\n') + '\n');
