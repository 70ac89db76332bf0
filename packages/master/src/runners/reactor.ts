import { InvocationError } from '@saltmq/common';
import type { EventBus } from '../events/event-bus.js';
import { compileEvent, type CompileDeps } from '../reactor/compile.js';
import type { Reactor } from '../reactor/reactor.js';
import type { ReactorRule } from '../reactor/rules.js';
import type { AppendLog } from '@saltmq/common';
import type { JournalRecord } from '../events/event-bus.js';
import type { RunnerFunction } from './runner.js';

export interface ReactorRunnerDeps {
  reactor: () => Reactor;
  compile: () => CompileDeps;
  journal: AppendLog<JournalRecord>;
  events: EventBus;
}

const asList = (value: unknown): string[] => (typeof value === 'string' ? [value] : Array.isArray(value) ? value.map(String) : []);

function parseData(value: unknown): Record<string, unknown> {
  if (value === undefined || value === null || value === '') return {};
  if (typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  if (typeof value === 'string') {
    try {
      const parsed: unknown = JSON.parse(value);
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
    } catch {
      // fall through to the error below
    }
  }
  throw new InvocationError("'data' must be a JSON object, e.g. data='{\"id\": \"web1\", \"act\": \"pend\"}'");
}

/** Salt's reactor runner (list, add, delete) plus saltmq's dry run and status. Runtime changes live in memory, as in Salt. */
export function makeReactorRunner(deps: ReactorRunnerDeps): Record<string, RunnerFunction> {
  const rules = () => deps.compile().matcher;
  const listAll = () => rules().getRules().map((r) => ({ [r.pattern]: r.sls }));
  return {
    'reactor.list': { params: [], run: async () => listAll() },
    'reactor.add': {
      params: ['event', 'reactors'],
      async run(a) {
        const event = String(a.event ?? '');
        const sls = asList(a.reactors);
        if (!event || sls.length === 0) throw new InvocationError("reactor.add needs an event tag and 'reactors' (an SLS path or a list of them)");
        const current = rules().getRules();
        if (current.some((r) => r.pattern === event)) return { status: false, comment: 'Reactor already exists.' };
        rules().setRules([...current, { pattern: event, sls } satisfies ReactorRule]);
        return { status: true, comment: 'Reactor added.' };
      },
    },
    'reactor.delete': {
      params: ['event'],
      async run(a) {
        const current = rules().getRules();
        const kept = current.filter((r) => r.pattern !== String(a.event));
        if (kept.length === current.length) return { status: false, comment: 'Reactor does not exists.' };
        rules().setRules(kept);
        return { status: true, comment: 'Reactor deleted.' };
      },
    },
    'reactor.status': { params: [], run: async () => deps.reactor().status() },
    'reactor.is_leader': { params: [], run: async () => true },
    'reactor.test': {
      params: ['tag', 'data', 'journal'],
      async run(a) {
        const events: { seq?: number; tag: string; data: Record<string, unknown> }[] = [];
        if (a.journal !== undefined) {
          const [from, to] = String(a.journal).split(/[-:]/).map(Number) as [number, number | undefined];
          if (!Number.isInteger(from)) throw new InvocationError("'journal' must be a sequence number or a range such as 120-130");
          const last = to ?? from;
          for (const entry of await deps.journal.readFrom(from, last - from + 1)) events.push({ seq: entry.seq, tag: entry.data.tag, data: entry.data.data });
        } else {
          if (typeof a.tag !== 'string' || a.tag === '') throw new InvocationError("reactor.test needs tag=<tag> (and data='<json>'), or journal=<seq range>");
          events.push({ tag: a.tag, data: parseData(a.data) });
        }
        const out: Record<string, unknown>[] = [];
        for (const event of events) {
          const compiled = await compileEvent(event.tag, event.data, deps.compile());
          out.push({
            ...(event.seq ? { seq: event.seq } : {}),
            tag: event.tag,
            matched: compiled.matched.map((m) => ({ [m.pattern]: m.sls })),
            rendered: Object.fromEntries(compiled.rendered.map((f) => [f.path, f.data])),
            reactions: compiled.chunks.map((c) => {
              const { __sls__, __id__, state, fun, order, ...args } = c;
              return { id: __id__, sls: __sls__, call: `${state}.${fun}`, order, args };
            }),
            errors: compiled.problems,
            note: 'dry run: nothing was executed',
          });
        }
        return out;
      },
    },
  };
}
