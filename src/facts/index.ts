/** Node facts: the one script dockhand runs on a node and the pure parsers for its output. */
export { FACTS_SCRIPT, FACTS_SECTIONS, FACTS_FORMAT_VERSION, factsScript } from './script.ts';
export { parseFacts } from './parse.ts';
export { parseOsRelease, requireFamily } from './os-release.ts';
export { parseSections, type Section } from '../formats/sections.ts';
export type { NodeFacts, OsFamily, OsRelease, TrustFacts } from '../plan/facts.ts';
export { gatherFacts, type GatheredFacts } from './gather.ts';
