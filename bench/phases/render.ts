/**
 * What the injection guard costs: one reactor file of the shapes users write (a guard, data in a
 * target, a command, a key, a flow list, |json into pillar, and one value that Salt's reading turns into a
 * mapping and the guard keeps a string), rendered over and over in this process with the guard (as the master renders reactor
 * and orchestration files) and without it (Salt's reading: text pasted in, then YAML). Same renderer,
 * same data, same machine, alternating rounds so drift hits both alike.
 */
import { SlsRenderer } from '@saltmq/common';
import { say } from '../lib/progress.js';
import { figure } from '../lib/report.js';
import type { PhaseContext, PhaseResult } from './context.js';

const REACTION = `{% if data['id'].startswith('web') and 'build' in data['data'] %}
deploy_{{ data['id'] }}:
  local.state.apply:
    - tgt: {{ data['id'] }}
    - arg:
      - app
    - kwarg:
        pillar:
          event_data: {{ data|json }}
notify:
  local.cmd.run:
    - tgt: monitor
    - arg:
      - 'echo {{ data['id'] }} built {{ data['data']['build'] }} >> /var/log/builds'
      - {{ data['data']['note'] }}
    - hosts: {{ data['data']['hosts'] }}
{% endif %}
`;

const DATA = { id: 'web17', cmd: '_minion_event', data: { build: 4211, note: 'built by ci: ok', hosts: ['web17', 'lb1'] }, _stamp: '2026-11-27T10:00:00.000000' };

async function rate(renderer: SlsRenderer, ms: number): Promise<number> {
  const end = Date.now() + ms;
  let n = 0;
  const start = process.hrtime.bigint();
  while (Date.now() < end) {
    for (let i = 0; i < 200; i++) await renderer.renderSls(REACTION, { data: DATA, tag: 'app/build/done' }, 'bench-reaction.sls');
    n += 200;
  }
  return (n * 1e9) / Number(process.hrtime.bigint() - start);
}

export async function runRender(ctx: PhaseContext): Promise<PhaseResult> {
  const guarded = new SlsRenderer({ guardOutput: true });
  const plain = new SlsRenderer();
  const rounds = ctx.options.quick ? 2 : 6;
  const roundMs = ctx.options.quick ? 1000 : 2500;
  await rate(guarded, 300); // warm both up: compile, JIT
  await rate(plain, 300);
  const g: number[] = [];
  const p: number[] = [];
  for (let r = 0; r < rounds; r++) {
    g.push(await rate(guarded, roundMs));
    p.push(await rate(plain, roundMs));
    say(`   round ${r + 1}/${rounds}: guarded ${Math.round(g.at(-1)!)}/s, unguarded ${Math.round(p.at(-1)!)}/s`);
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const [salt, bare] = [median(g), median(p)];
  return {
    render: figure({
      title: 'reactor file render, guarded',
      measures: `one reactor file (guard, target, command, |json pillar, a flow list, a value with ': ') rendered jinja|yaml in-process, median of ${rounds} rounds of ${roundMs} ms`,
      unit: 'renders/s',
      better: 'higher',
      value: Math.round(salt),
      details: { rounds: g.map(Math.round) },
      baseline: { value: Math.round(bare), how: "the same renderer without the guard (Salt's reading: values pasted into the text)", details: { rounds: p.map(Math.round) } },
      target: { text: 'guard ≤ 1.25x slower', met: bare / salt <= 1.25 },
      lost: 0,
      duplicates: 0,
      notes: [],
    }),
  };
}
