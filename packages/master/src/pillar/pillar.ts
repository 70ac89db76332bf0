/**
 * The pillar compiler lives in common, where a masterless saltmq-call compiles pillar for itself;
 * the master's modules keep importing it from here.
 */
export { PillarCompiler, mergePillar } from '@saltmq/common';
export type { PillarResult } from '@saltmq/common';
