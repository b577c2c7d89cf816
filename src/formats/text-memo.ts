/**
 * A parse remembered by its input text, for the texts a fleet repeats: the same unit file, the same
 * registry certificate, read from node after node of one run. Bounded (the oldest entry goes first), so a
 * fleet of distinct texts costs no more memory than a few dozen parses. Only for pure parses whose result
 * nobody mutates.
 */
export function memoByText<T>(parse: (text: string) => T, capacity = 64): (text: string) => T {
  const seen = new Map<string, T>();
  return (text: string): T => {
    const known = seen.get(text);
    if (known !== undefined || seen.has(text)) return known as T;
    const parsed = parse(text);
    if (seen.size >= capacity) seen.delete(seen.keys().next().value as string);
    seen.set(text, parsed);
    return parsed;
  };
}
