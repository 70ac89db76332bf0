import { compileReactions, messageOf, TemplateError, type Chunk, type SlsRenderer } from '@saltmq/common';
import type { RuleMatcher } from './match.js';


/** A problem with one reactor file or reaction, reported as a salt/reactor/error event. */
export interface ReactionProblem {
  sls: string;
  reaction?: string;
  message: string;
  line?: number;
}

export interface CompiledEvent {
  /** the patterns that matched, with their SLS references */
  matched: { pattern: string; sls: string[] }[];
  /** each file's rendered data, in order (for the dry run) */
  rendered: { path: string; data: unknown }[];
  chunks: Chunk[];
  problems: ReactionProblem[];
}

export interface CompileDeps {
  matcher: RuleMatcher;
  renderer: SlsRenderer;
  /** an SLS reference (path, glob or salt:// URL) → the files it names */
  resolveRef(ref: string): Promise<string[]>;
  /** the template's `salt`, `opts` and friends */
  context: Record<string, unknown>;
}

/**
 * From an event to the reactions it triggers, as Salt's reactor does: every matching rule's SLS
 * files are rendered as jinja|yaml with `tag` and `data`, merged (a later file's duplicate ID wins)
 * and compiled into chunks in Salt's order. A file that fails to render reports its error and
 * contributes nothing; the other files still run.
 */
export async function compileEvent(tag: string, data: Record<string, unknown>, deps: CompileDeps): Promise<CompiledEvent> {
  const matched = deps.matcher.match(tag);
  const result: CompiledEvent = { matched, rendered: [], chunks: [], problems: [] };
  if (matched.length === 0) return result;
  for (const ref of matched.flatMap((rule) => rule.sls)) {
    const paths = await deps.resolveRef(ref);
    if (paths.length === 0) {
      result.problems.push({ sls: ref, message: `Can not render SLS ${ref} for tag ${tag}. File missing or not found.` });
      continue;
    }
    for (const path of paths) {
      try {
        const rendered = await deps.renderer.renderFile(path, { ...deps.context, tag, data, sls: path });
        result.rendered.push({ path, data: rendered ?? null });
      } catch (error) {
        const problem: ReactionProblem = { sls: path, message: `Failed to render "${path}": ${messageOf(error)}` };
        if (error instanceof TemplateError && error.line !== undefined) problem.line = error.line;
        result.problems.push(problem);
      }
    }
  }
  const compiled = compileReactions(result.rendered.filter((f) => f.data !== null && f.data !== undefined));
  result.chunks = compiled.chunks;
  for (const message of compiled.errors) result.problems.push({ sls: result.rendered.map((f) => f.path).join(', '), message });
  return result;
}
