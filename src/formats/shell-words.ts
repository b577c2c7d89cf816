/** Shell-style word splitting shared by the os-release, systemctl and unit-file parsers. */

/**
 * Splits `text` into words at unquoted whitespace. Double quotes group and honour backslash
 * escapes, single quotes are literal, an unquoted backslash escapes the next character.
 */
export function splitQuotedWords(text: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] ?? '';
    if (quote === "'") {
      if (c === "'") quote = null;
      else word += c;
    } else if (quote === '"') {
      if (c === '"') quote = null;
      else if (c === '\\' && i + 1 < text.length) word += text[++i];
      else word += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      inWord = true;
    } else if (c === '\\' && i + 1 < text.length) {
      word += text[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  return words;
}

/** Splits `KEY=VALUE` at the first `=`; null when there is no `=` or the key is empty. */
export function splitAssignment(word: string): [string, string] | null {
  const eq = word.indexOf('=');
  if (eq <= 0) return null;
  return [word.slice(0, eq), word.slice(eq + 1)];
}
