/**
 * @saltmq/minion: what the master reuses of the minion (Salt's MasterMinion runs minion modules on the
 * master too): the grains collector and Salt's key-path traversal.
 * @module
 */
export { coreGrains } from './grains/core.js';
export { traverse } from './grains/traverse.js';
