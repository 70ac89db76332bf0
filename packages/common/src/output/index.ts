/**
 * Salt's outputters as pure functions: data in, the text Salt prints out. Named re-exports only.
 * @module
 */
export { getColors } from './colors.js';
export type { ColorName, Colors } from './colors.js';
export type { OutputOptions, StateOutputMode } from './options.js';
export { formatNested } from './nested.js';
export { formatHighstate } from './highstate.js';
export {
  formatJson,
  formatYaml,
  formatTxt,
  formatRaw,
  formatNoReturn,
  formatKey,
  formatKeyList,
  formatKeyValues,
} from './formats.js';
export type { KeyStatus } from './formats.js';
export {
  OUTPUTTERS,
  UnknownOutputterError,
  getOutputter,
  isOutputterName,
  printout,
  displayText,
} from './registry.js';
export type { Outputter, OutputterName } from './registry.js';
export { pyYamlSafeDump } from './py-yaml.js';
export type { PyYamlOptions } from './py-yaml.js';
export { pyRepr, pyStr, pyFloatRepr, pyFixed, pySplitlines } from './py-text.js';
