/**
 * Salt's `jinja|yaml` rendering for reactor, state and orchestrate SLS files. Named re-exports only.
 * @module
 */
export { SlsRenderer, RENDER_DEFAULTS } from './renderer.js';
export type { RenderContext, SlsRendererOptions } from './renderer.js';
export { TemplateError } from './errors.js';
export type { RenderPhase, TemplateErrorDetails } from './errors.js';
export { templateArgs } from './salt-calls.js';
export type { SaltFunctionTable } from './salt-calls.js';
export { SALT_YAML_SCHEMA } from './yaml.js';
