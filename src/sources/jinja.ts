/** Jinja in an installer's variables: found and refused, never evaluated (dockhand has no templating, and guessing would be wrong). */

const JINJA = /\{\{|\{%/;

/** The path of the first string inside `value` that holds a Jinja expression or statement, or undefined. */
export function findJinja(value: unknown, path: (string | number)[] = []): (string | number)[] | undefined {
  if (typeof value === 'string') return JINJA.test(value) ? path : undefined;
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) {
      const found = findJinja(item, [...path, index]);
      if (found) return found;
    }
    return undefined;
  }
  if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      const found = JINJA.test(key) ? [...path, key] : findJinja(item, [...path, key]);
      if (found) return found;
    }
  }
  return undefined;
}
