/**
 * Text decoding by Specific Character Set (0008,0005), PS3.3 C.12.1.1.2 and PS3.5 §6.1: single-byte
 * sets, UTF-8, GB18030/GBK, and ISO 2022 code extensions with escape sequences (Japanese, Korean,
 * Chinese, and the ISO 8859 G1 sets). dicom-parser ignores 0008,0005, so Kerma decodes the raw bytes.
 */
export type TextDecoderFn = (bytes: Uint8Array) => string;

const ESC = 0x1b;

function latin1(bytes: Uint8Array): string {
  // True ISO 8859-1 (WHATWG "latin1" is windows-1252, which differs in 0x80-0x9F). Short values
  // (nearly all of them) are cheaper to build directly than through a Buffer view.
  if (bytes.length <= 64) {
    let text = '';
    for (let i = 0; i < bytes.length; i += 1) text += String.fromCharCode(bytes[i] ?? 0);
    return text;
  }
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
}

/** ISO 8859-1 straight from a byte range: the common case of short ASCII values, with no view object. */
function latin1Range(bytes: Uint8Array, start: number, end: number): string {
  if (end - start > 64) return latin1(bytes.subarray(start, end));
  let text = '';
  for (let i = start; i < end; i += 1) text += String.fromCharCode(bytes[i] ?? 0);
  return text;
}

function rangeDecoder(decode: TextDecoderFn): CharsetDecoder['decodeRange'] {
  return decode === latin1 ? latin1Range : (bytes, start, end) => decode(bytes.subarray(start, end));
}

function whatwg(label: string): TextDecoderFn {
  const decoder = new TextDecoder(label);
  return (bytes) => decoder.decode(bytes);
}

/** Defined terms without code extensions (PS3.3 Table C.12-2) and their decoders. */
const SINGLE_SET: Record<string, TextDecoderFn> = {
  '': latin1, // default repertoire is ASCII; latin1 keeps stray high bytes visible rather than lost
  ISO_IR_6: latin1,
  ISO_IR_100: latin1,
  ISO_IR_101: whatwg('iso-8859-2'),
  ISO_IR_109: whatwg('iso-8859-3'),
  ISO_IR_110: whatwg('iso-8859-4'),
  ISO_IR_144: whatwg('iso-8859-5'),
  ISO_IR_127: whatwg('iso-8859-6'),
  ISO_IR_126: whatwg('iso-8859-7'),
  ISO_IR_138: whatwg('iso-8859-8'),
  ISO_IR_148: whatwg('iso-8859-9'),
  ISO_IR_203: whatwg('iso-8859-15'),
  ISO_IR_166: whatwg('windows-874'),
  ISO_IR_13: whatwg('shift_jis'),
  ISO_IR_192: whatwg('utf-8'),
  GB18030: whatwg('gb18030'),
  GBK: whatwg('gbk'),
};

/** Escape sequences of ISO 2022 code elements (PS3.5 Tables 6.1-2 and 6.2-1), as byte strings after ESC. */
const ESCAPES: ReadonlyArray<{ seq: number[]; decode: TextDecoderFn | 'jis0208' | 'jis0212' }> = [
  { seq: [0x28, 0x42], decode: latin1 }, // ESC ( B  ASCII (ISO 2022 IR 6)
  { seq: [0x28, 0x4a], decode: latin1 }, // ESC ( J  JIS X 0201 Romaji
  { seq: [0x29, 0x49], decode: whatwg('shift_jis') }, // ESC ) I  JIS X 0201 Katakana (G1, same bytes as Shift_JIS)
  { seq: [0x24, 0x42], decode: 'jis0208' }, // ESC $ B  JIS X 0208 (ISO 2022 IR 87)
  { seq: [0x24, 0x28, 0x44], decode: 'jis0212' }, // ESC $ ( D  JIS X 0212 (ISO 2022 IR 159)
  { seq: [0x24, 0x29, 0x43], decode: whatwg('euc-kr') }, // ESC $ ) C  KS X 1001 (ISO 2022 IR 149)
  { seq: [0x24, 0x29, 0x41], decode: whatwg('gb18030') }, // ESC $ ) A  GB 2312 (ISO 2022 IR 58)
  { seq: [0x2d, 0x41], decode: latin1 }, // ESC - A  ISO 8859-1 right half
  { seq: [0x2d, 0x42], decode: whatwg('iso-8859-2') },
  { seq: [0x2d, 0x43], decode: whatwg('iso-8859-3') },
  { seq: [0x2d, 0x44], decode: whatwg('iso-8859-4') },
  { seq: [0x2d, 0x4c], decode: whatwg('iso-8859-5') },
  { seq: [0x2d, 0x47], decode: whatwg('iso-8859-6') },
  { seq: [0x2d, 0x46], decode: whatwg('iso-8859-7') },
  { seq: [0x2d, 0x48], decode: whatwg('iso-8859-8') },
  { seq: [0x2d, 0x4d], decode: whatwg('iso-8859-9') },
  { seq: [0x2d, 0x54], decode: whatwg('windows-874') },
  { seq: [0x2d, 0x62], decode: whatwg('iso-8859-15') },
];

const iso2022jp = new TextDecoder('iso-2022-jp');
const eucJp = new TextDecoder('euc-jp');

/** JIS X 0208 / 0212 bytes in G0 (0x21-0x7E pairs) decoded through their EUC-JP form. */
function decodeJis(bytes: Uint8Array, variant: 'jis0208' | 'jis0212'): string {
  if (variant === 'jis0208') {
    const wrapped = new Uint8Array(bytes.length + 6);
    wrapped.set([ESC, 0x24, 0x42], 0);
    wrapped.set(bytes, 3);
    wrapped.set([ESC, 0x28, 0x42], bytes.length + 3);
    return iso2022jp.decode(wrapped);
  }
  // JIS X 0212 in EUC-JP is SS3 (0x8F) followed by the two bytes with their high bit set.
  const euc = new Uint8Array(Math.floor(bytes.length / 2) * 3);
  for (let i = 0, o = 0; i + 1 < bytes.length; i += 2, o += 3) {
    euc[o] = 0x8f;
    euc[o + 1] = (bytes[i] ?? 0) | 0x80;
    euc[o + 2] = (bytes[i + 1] ?? 0) | 0x80;
  }
  return eucJp.decode(euc);
}

function matchEscape(bytes: Uint8Array, at: number): (typeof ESCAPES)[number] | undefined {
  return ESCAPES.find((e) => e.seq.every((b, i) => bytes[at + 1 + i] === b));
}

/** Decodes text that may switch code elements with ESC sequences; the initial element is `initial`. */
function decodeIso2022(bytes: Uint8Array, initial: TextDecoderFn): string {
  let out = '';
  let decode: TextDecoderFn | 'jis0208' | 'jis0212' = initial;
  let start = 0;
  const flush = (end: number): void => {
    if (end <= start) return;
    const part = bytes.subarray(start, end);
    out += typeof decode === 'function' ? decode(part) : decodeJis(part, decode);
  };
  for (let i = 0; i < bytes.length; i += 1) {
    if (bytes[i] !== ESC) continue;
    const escape = matchEscape(bytes, i);
    if (!escape) continue;
    flush(i);
    decode = escape.decode;
    i += escape.seq.length;
    start = i + 1;
  }
  flush(bytes.length);
  return out;
}

function normaliseTerm(term: string): string {
  return term
    .trim()
    .toUpperCase()
    .replace(/[\s-]+/g, '_');
}

export interface CharsetDecoder {
  readonly decode: TextDecoderFn;
  /** Decodes bytes[start, end) without allocating a view when the set allows it (single-byte sets). */
  readonly decodeRange: (bytes: Uint8Array, start: number, end: number) => string;
  /** Terms of 0008,0005 that Kerma does not know (decoded as ISO 8859-1 and reported). */
  readonly unknownTerms: readonly string[];
}

/** Builds the decoder for a Specific Character Set value (already split on backslash). */
export function charsetDecoder(terms: readonly string[]): CharsetDecoder {
  const normalised = terms.length === 0 ? [''] : terms.map(normaliseTerm);
  const unknownTerms: string[] = [];
  const usesExtensions = normalised.some((t) => t.startsWith('ISO_2022'));
  const first = normalised[0] ?? '';
  if (!usesExtensions) {
    const decode = SINGLE_SET[first];
    if (!decode) unknownTerms.push(terms[0] ?? '');
    const chosen = decode ?? latin1;
    return { decode: chosen, decodeRange: rangeDecoder(chosen), unknownTerms };
  }
  // With code extensions the first value names the initial set (empty: ASCII).
  const initialName = first.replace(/^ISO_2022_/, 'ISO_');
  const initial =
    initialName === 'ISO_IR_87' || initialName === 'ISO_IR_159' ? latin1 : (SINGLE_SET[initialName] ?? latin1);
  for (const term of normalised) {
    const name = term.replace(/^ISO_2022_/, 'ISO_');
    if (!(name in SINGLE_SET) && !['ISO_IR_87', 'ISO_IR_159', 'ISO_IR_149', 'ISO_IR_58'].includes(name))
      unknownTerms.push(term);
  }
  const decode: TextDecoderFn = (bytes) => (bytes.includes(ESC) ? decodeIso2022(bytes, initial) : initial(bytes));
  return { decode, decodeRange: rangeDecoder(decode), unknownTerms };
}

export const defaultDecoder: CharsetDecoder = charsetDecoder([]);
