/**
 * Reads a `.cpuprofile` (from `npm run bench -- --profile-master DIR`) and prints where the master's
 * CPU went: self time by function and by package or source file, and inclusive time of the master's
 * own functions. Usage: node --import tsx bench/profile-summary.ts FILE.cpuprofile [TOP]
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** Where a frame's code lives: a package, a file of ours, Node itself, or V8's pseudo-frames. */
function placeOf(url: string, name: string): string {
  if (!url) return name.startsWith('(') ? name : '(native)';
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm) return nm[1]!;
  const ours = /packages\/([^/]+)\/(?:dist|src)\/(.+?)\.[jt]s$/.exec(url);
  if (ours) return `${ours[1]}/${ours[2]}`;
  if (url.startsWith('node:')) return url;
  return url.replace(/^file:\/\//, '');
}

const file = process.argv[2];
if (!file) {
  process.stderr.write('usage: profile-summary FILE.cpuprofile [TOP]\n');
  process.exit(2);
}
const top = Number(process.argv[3] ?? 30);
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

// self time per node from the sample stream (each sample's delta is the time spent in that node)
const selfUs = new Map<number, number>();
profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
const totalUs = profile.endTime - profile.startTime;

const byFunction = new Map<string, number>();
const byPlace = new Map<string, number>();
const inclusiveOurs = new Map<string, number>();
for (const [id, us] of selfUs) {
  const node = byId.get(id)!;
  const { functionName, url, lineNumber } = node.callFrame;
  const place = placeOf(url, functionName);
  const key = `${functionName || '(anonymous)'}  ${place}:${lineNumber + 1}`;
  byFunction.set(key, (byFunction.get(key) ?? 0) + us);
  byPlace.set(place, (byPlace.get(place) ?? 0) + us);
  // charge this sample to every distinct function of ours on the stack (inclusive time)
  const charged = new Set<string>();
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
    const frame = byId.get(cur)!.callFrame;
    if (!/packages\/[^/]+\/(dist|src)\//.test(frame.url)) continue;
    const k = `${frame.functionName || '(anonymous)'}  ${placeOf(frame.url, frame.functionName)}:${frame.lineNumber + 1}`;
    if (!charged.has(k)) inclusiveOurs.set(k, (inclusiveOurs.get(k) ?? 0) + us);
    charged.add(k);
  }
}

const busy = totalUs - (byPlace.get('(idle)') ?? 0);
const line = (label: string, us: number) => `${((us / busy) * 100).toFixed(1).padStart(6)}%  ${(us / 1000).toFixed(0).padStart(7)} ms  ${label}`;
const print = (title: string, map: Map<string, number>) => {
  process.stdout.write(`\n${title}\n`);
  const rows = [...map].filter(([k]) => !k.startsWith('(idle)'));
  for (const [k, us] of rows.sort((a, b) => b[1] - a[1]).slice(0, top)) process.stdout.write(line(k, us) + '\n');
};
process.stdout.write(`${file}: ${(totalUs / 1e6).toFixed(1)} s profiled, ${(busy / 1e6).toFixed(1)} s busy (percentages are of busy time)\n`);
print('self time by package or file', byPlace);
print('self time by function', byFunction);
print("inclusive time of the master's own functions", inclusiveOurs);
