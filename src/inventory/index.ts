/** The inventory: load it, pick hosts by pattern, resolve vars and connection targets. */
export { loadInventory, parseInventory, detectFormat, type InventoryFormat, type LoadInventoryOptions } from './load.ts';
export { selectHosts } from './pattern.ts';
export { resolveTarget } from './target.ts';
export { resolveTargets } from './key-files.ts';
export { hostVars, resolveHostVars, type ResolvedVars } from './vars.ts';
export type { GroupEntry, HostEntry, Inventory, NodeTarget, VarLayer, VarOrigin, Vars } from './types.ts';
