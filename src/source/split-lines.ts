/** A piece of input text: a whole line (without its `\n`), or part of a very long one. */
export interface LineSegment {
  text: string;
  /** True for a whole line; false for a piece of a line longer than the segment limit. */
  complete: boolean;
  /** The line's bytes were not valid UTF-8 (its text is decoded with replacement characters). */
  invalid: boolean;
}

/** Longest piece held before part of a line is passed on: memory stays flat on one-line files. */
const MAX_SEGMENT = 64 * 1024;

/**
 * Splits chunks into lines. Buffers are split on the newline byte (which never occurs inside a
 * multi-byte UTF-8 character) and decoded strictly, many lines at a time; a line whose bytes
 * are not valid UTF-8 is marked `invalid`. Strings are taken as already decoded.
 */
export async function* splitLines(chunks: AsyncIterable<string | Buffer> | Iterable<string | Buffer>): AsyncGenerator<LineSegment> {
  const splitter = new LineSplitter();
  for await (const chunk of chunks) yield* splitter.push(chunk);
  yield* splitter.end();
}

/** {@link splitLines} one chunk at a time: `push` gives the segments a chunk completes, `end` the rest. */
export class LineSplitter {
  private readonly strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  private readonly lenient = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });
  private pendingText = '';
  private pendingBytes: Buffer[] = [];
  private pendingLength = 0;
  // a long line passed on in pieces: its own streaming decoder, and whether it was bad so far
  private longLine: { decoder: TextDecoder; invalid: boolean } | undefined;

  private decodeLines(bytes: Buffer, out: LineSegment[]): void {
    // one strict decode for many lines; only when it fails, line by line to find the bad ones
    let text: string | undefined;
    try {
      text = this.strict.decode(bytes);
    } catch {
      text = undefined;
    }
    if (text !== undefined) {
      for (const line of text.split('\n')) out.push({ text: line, complete: true, invalid: false });
      return;
    }
    let pos = 0;
    for (;;) {
      const nl = bytes.indexOf(10, pos);
      const line = bytes.subarray(pos, nl === -1 ? bytes.length : nl);
      try {
        out.push({ text: this.strict.decode(line), complete: true, invalid: false });
      } catch {
        out.push({ text: this.lenient.decode(line), complete: true, invalid: true });
      }
      if (nl === -1) return;
      pos = nl + 1;
    }
  }

  private decodePiece(bytes: Buffer, final: boolean): string {
    const longLine = (this.longLine ??= { decoder: new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }), invalid: false });
    if (!longLine.invalid) {
      try {
        return longLine.decoder.decode(bytes, { stream: !final });
      } catch {
        longLine.invalid = true;
        longLine.decoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });
      }
    }
    return longLine.decoder.decode(bytes, { stream: !final });
  }

  /** The segments completed by one more chunk, in order. */
  push(chunk: string | Buffer): LineSegment[] {
    const out: LineSegment[] = [];
    if (typeof chunk === 'string') {
      let pos = 0;
      for (;;) {
        const nl = chunk.indexOf('\n', pos);
        if (nl === -1) {
          this.pendingText += chunk.slice(pos);
          if (this.pendingText.length > MAX_SEGMENT) {
            out.push({ text: this.pendingText, complete: false, invalid: false });
            this.pendingText = '';
            this.longLine = { decoder: this.lenient, invalid: false };
          }
          break;
        }
        const text = this.pendingText + chunk.slice(pos, nl);
        this.pendingText = '';
        if (this.longLine) {
          out.push({ text: text + '\n', complete: false, invalid: false });
          this.longLine = undefined;
        } else {
          out.push({ text, complete: true, invalid: false });
        }
        pos = nl + 1;
      }
      return out;
    }
    const last = chunk.lastIndexOf(10);
    if (last === -1) {
      this.pendingBytes.push(chunk);
      this.pendingLength += chunk.length;
      if (this.pendingLength > MAX_SEGMENT) {
        const text = this.decodePiece(Buffer.concat(this.pendingBytes), false);
        this.pendingBytes = [];
        this.pendingLength = 0;
        out.push({ text, complete: false, invalid: this.longLine?.invalid ?? false });
      }
      return out;
    }
    // the first line may continue a long one that was passed on in pieces
    let from = 0;
    if (this.longLine) {
      const nl = chunk.indexOf(10);
      const bad = this.longLine.invalid;
      const text = this.decodePiece(Buffer.concat([...this.pendingBytes, chunk.subarray(0, nl)]), true);
      const invalid = bad || this.longLine.invalid;
      this.longLine = undefined;
      this.pendingBytes = [];
      this.pendingLength = 0;
      out.push({ text: text + '\n', complete: false, invalid });
      from = nl + 1;
    }
    const body = this.pendingBytes.length > 0 ? Buffer.concat([...this.pendingBytes, chunk.subarray(from, last)]) : chunk.subarray(from, last);
    this.pendingBytes = [];
    this.pendingLength = 0;
    if (from <= last) this.decodeLines(body, out);
    if (last + 1 < chunk.length) {
      this.pendingBytes.push(chunk.subarray(last + 1));
      this.pendingLength = chunk.length - last - 1;
    }
    return out;
  }

  /** The segments left at the end of the input. */
  end(): LineSegment[] {
    const out: LineSegment[] = [];
    if (this.pendingText.length > 0) {
      out.push(this.longLine ? { text: this.pendingText, complete: false, invalid: false } : { text: this.pendingText, complete: true, invalid: false });
    }
    if (this.pendingBytes.length > 0 || this.longLine) {
      const bytes = Buffer.concat(this.pendingBytes);
      if (this.longLine) {
        const text = this.decodePiece(bytes, true);
        out.push({ text, complete: false, invalid: this.longLine.invalid });
      } else {
        const segs: LineSegment[] = [];
        this.decodeLines(bytes, segs);
        if (segs[0]) out.push(segs[0]);
      }
    }
    return out;
  }
}
