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
  const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  const lenient = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });
  let pendingText = '';
  let pendingBytes: Buffer[] = [];
  let pendingLength = 0;
  // a long line passed on in pieces: its own streaming decoder, and whether it was bad so far
  let longLine: { decoder: TextDecoder; invalid: boolean } | undefined;

  const decodeLines = (bytes: Buffer): LineSegment[] => {
    // one strict decode for many lines; only when it fails, line by line to find the bad ones
    try {
      return strict.decode(bytes).split('\n').map((text) => ({ text, complete: true, invalid: false }));
    } catch {
      const out: LineSegment[] = [];
      let pos = 0;
      for (;;) {
        const nl = bytes.indexOf(10, pos);
        const line = bytes.subarray(pos, nl === -1 ? bytes.length : nl);
        try {
          out.push({ text: strict.decode(line), complete: true, invalid: false });
        } catch {
          out.push({ text: lenient.decode(line), complete: true, invalid: true });
        }
        if (nl === -1) return out;
        pos = nl + 1;
      }
    }
  };

  const decodePiece = (bytes: Buffer, final: boolean): string => {
    longLine ??= { decoder: new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }), invalid: false };
    if (!longLine.invalid) {
      try {
        return longLine.decoder.decode(bytes, { stream: !final });
      } catch {
        longLine.invalid = true;
        longLine.decoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });
      }
    }
    return longLine.decoder.decode(bytes, { stream: !final });
  };

  for await (const chunk of chunks) {
    if (typeof chunk === 'string') {
      let pos = 0;
      for (;;) {
        const nl = chunk.indexOf('\n', pos);
        if (nl === -1) {
          pendingText += chunk.slice(pos);
          if (pendingText.length > MAX_SEGMENT) {
            yield { text: pendingText, complete: false, invalid: false };
            pendingText = '';
            longLine = { decoder: lenient, invalid: false };
          }
          break;
        }
        const text = pendingText + chunk.slice(pos, nl);
        pendingText = '';
        if (longLine) {
          yield { text: text + '\n', complete: false, invalid: false };
          longLine = undefined;
        } else {
          yield { text, complete: true, invalid: false };
        }
        pos = nl + 1;
      }
      continue;
    }
    const last = chunk.lastIndexOf(10);
    if (last === -1) {
      pendingBytes.push(chunk);
      pendingLength += chunk.length;
      if (pendingLength > MAX_SEGMENT) {
        const text = decodePiece(Buffer.concat(pendingBytes), false);
        pendingBytes = [];
        pendingLength = 0;
        yield { text, complete: false, invalid: longLine?.invalid ?? false };
      }
      continue;
    }
    // the first line may continue a long one that was passed on in pieces
    let from = 0;
    if (longLine) {
      const nl = chunk.indexOf(10);
      const bad = longLine.invalid;
      const text = decodePiece(Buffer.concat([...pendingBytes, chunk.subarray(0, nl)]), true);
      const invalid = bad || longLine.invalid;
      longLine = undefined;
      pendingBytes = [];
      pendingLength = 0;
      yield { text: text + '\n', complete: false, invalid };
      from = nl + 1;
    }
    const body = pendingBytes.length > 0 ? Buffer.concat([...pendingBytes, chunk.subarray(from, last)]) : chunk.subarray(from, last);
    pendingBytes = [];
    pendingLength = 0;
    if (from <= last) for (const seg of decodeLines(body)) yield seg;
    if (last + 1 < chunk.length) {
      pendingBytes.push(chunk.subarray(last + 1));
      pendingLength = chunk.length - last - 1;
    }
  }
  if (typeof pendingText === 'string' && pendingText.length > 0) {
    yield longLine ? { text: pendingText, complete: false, invalid: false } : { text: pendingText, complete: true, invalid: false };
  }
  if (pendingBytes.length > 0 || longLine) {
    const bytes = Buffer.concat(pendingBytes);
    if (longLine) {
      const text = decodePiece(bytes, true);
      yield { text, complete: false, invalid: longLine.invalid };
    } else {
      const [seg] = decodeLines(bytes);
      if (seg) yield seg;
    }
  }
}
