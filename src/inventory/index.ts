/** The inventory: load it, pick hosts by pattern, resolve vars and connection targets. */
export { loadInventory, parseInventory, detectFormat, type InventoryFormat } from './load.ts';
export { selectHosts } from './pattern.ts';
export { resolveTarget } from './target.ts';
export { hostVars } from './vars.ts';
export type { GroupEntry, HostEntry, Inventory, NodeTarget, Vars } from './types.ts';
