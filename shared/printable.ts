/**
 * Text as it may be printed to a terminal: control characters (which in a file name could clear
 * the screen, set the window title or split a line of the summary) and the bidirectional overrides
 * (which could make a name read backwards) are shown escaped, e.g. "\x1b", "\n", "\u202e".
 */
export function printable(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, (c) => {
    switch (c) {
      case '\n':
        return '\\n';
      case '\r':
        return '\\r';
      case '\t':
        return '\\t';
    }
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/** `printable`, keeping the line breaks of a multi-line message (each line escaped on its own). */
export function printableLines(text: string): string {
  return text.split('\n').map(printable).join('\n');
}
