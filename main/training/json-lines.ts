/**
 * The trainer's stdout protocol (docs/trainer-protocol.md): one JSON object per line. Chunks from a pipe split lines anywhere,
 * so the tail is buffered until its newline arrives; a line that is not a JSON object (a stray print, a
 * library's warning) is handed to `onOther` for the run log and never stops the run.
 */
/** A line as framed: an object with a string `type`, not yet checked against shared/training/trainer-messages.ts. */
export type RawMessage = { type: string } & Record<string, unknown>;

export interface JsonLinesHandlers {
  onMessage(message: RawMessage): void;
  onOther?(line: string): void;
}

export class JsonLinesReader {
  private tail = '';
  private readonly decoder = new TextDecoder('utf-8');

  constructor(private readonly handlers: JsonLinesHandlers) {}

  push(chunk: Buffer | string): void {
    this.tail += typeof chunk === 'string' ? chunk : this.decoder.decode(chunk, { stream: true });
    let newline: number;
    while ((newline = this.tail.indexOf('\n')) >= 0) {
      const line = this.tail.slice(0, newline);
      this.tail = this.tail.slice(newline + 1);
      this.line(line);
    }
  }

  /** The stream ended: a last line without its newline is still read (a trainer killed mid-write leaves half
   * of one, which then goes to `onOther`). */
  end(): void {
    this.tail += this.decoder.decode();
    const rest = this.tail;
    this.tail = '';
    if (rest) this.line(rest);
  }

  private line(raw: string): void {
    const line = raw.replace(/\r$/, '');
    if (!line.trim()) return;
    const message = parseMessage(line);
    if (message) this.handlers.onMessage(message);
    else this.handlers.onOther?.(line);
  }
}

export function parseMessage(line: string): RawMessage | null {
  if (!line.trimStart().startsWith('{')) return null;
  try {
    const value: unknown = JSON.parse(line);
    if (value && typeof value === 'object' && !Array.isArray(value) && typeof (value as { type?: unknown }).type === 'string') return value as RawMessage;
  } catch {
    // not JSON: logged by the caller
  }
  return null;
}
