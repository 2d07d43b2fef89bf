/**
 * Values from a file end up in error messages that are printed to a terminal or shown in the
 * app. A control character there could clear the screen, recolour it or start a new line that
 * looks like another `file:line:col` error, so every such character is shown as an escape.
 */

// C0 and C1 controls, DEL, the Unicode line and paragraph separators and the bidi overrides
// and isolates (which can reorder what a reader sees).
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/g;

function escapeChar(ch: string): string {
  switch (ch) {
    case '\n':
      return '\\n';
    case '\r':
      return '\\r';
    case '\t':
      return '\\t';
    case '\u001b':
      return '\\e';
    default: {
      const code = ch.charCodeAt(0);
      return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
    }
  }
}

/** The text with every control character shown as an escape (`\n`, `\e`, `\x07`, `\u2028`). */
export function escapeControl(text: string): string {
  return text.replace(UNSAFE, escapeChar);
}

/**
 * A value from the input, quoted for a message: escaped, and cut to `max` characters so a
 * megabyte-long key does not become a megabyte-long error.
 */
export function quoteInput(value: unknown, max = 80): string {
  const text = typeof value === 'string' ? value : String(value);
  const cut = text.length > max ? `${text.slice(0, max)}…` : text;
  return `"${escapeControl(cut.replace(/\\/g, '\\\\').replace(/"/g, '\\"'))}"`;
}
