import { ValidationError } from '../../core/index.ts';

/**
 * Protocol glue for STOW-RS request bodies (PS3.18 §8.6.1.2 multipart payloads): a media type parser
 * (RFC 9110 §8.3.1) and a parser of a multipart body held in one Buffer (RFC 2046 §5.1.1, as used by
 * multipart/related, RFC 2387). Part bodies are views into the request Buffer, never copies, so a
 * body of N bytes costs N bytes however many parts it has. Malformed input is refused whole with a
 * 400 (MultipartSyntaxError): guessing where a broken part ends could store half an object.
 */
export class MultipartSyntaxError extends ValidationError {}

export interface MediaType {
  /** `type/subtype`, lower-cased (media types are case-insensitive, RFC 9110 §8.3.1). */
  readonly essence: string;
  /** Parameter names lower-cased; values unquoted and otherwise as sent. */
  readonly parameters: ReadonlyMap<string, string>;
}

export interface BodyPart {
  /** Header field names lower-cased; repeated fields joined with ", " (RFC 9110 §5.3). */
  readonly headers: ReadonlyMap<string, string>;
  readonly body: Buffer;
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** RFC 2046 §5.1.1 bchars; a boundary is 1 to 70 of them and does not end with a space. */
const BOUNDARY = /^[0-9A-Za-z'()+_,\-./:=? ]{0,69}[0-9A-Za-z'()+_,\-./:=?]$/;
/**
 * A part whose headers do not end within this many bytes is binary data without a header block:
 * refuse it rather than read megabytes of pixel data as header text.
 */
const MAX_HEADER_BYTES = 16 * 1024;
const CRLF = Buffer.from('\r\n', 'latin1');
const HEADER_END = Buffer.from('\r\n\r\n', 'latin1');

export function isValidBoundary(boundary: string): boolean {
  return BOUNDARY.test(boundary);
}

/** Splits on `separator` outside quoted strings; undefined when a quoted string is left open. */
function splitOutsideQuotes(text: string, separator: string): string[] | undefined {
  const pieces: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const ch = text.charAt(i);
    if (quoted && ch === '\\') {
      current += ch + text.charAt(i + 1);
      i += 1;
      continue;
    }
    if (ch === '"') quoted = !quoted;
    if (ch === separator && !quoted) {
      pieces.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  if (quoted) return undefined;
  pieces.push(current);
  return pieces;
}

/**
 * A parameter value: a quoted-string (backslash escapes removed), or a bare value. Bare values may
 * hold characters a token may not ('=', '/', ':'): several DICOMweb clients send unquoted
 * boundaries such as `----=_Part_1`, and refusing them would gain nothing.
 */
function parameterValue(raw: string): string | undefined {
  if (raw.startsWith('"')) {
    if (raw.length < 2 || !raw.endsWith('"')) return undefined;
    return raw.slice(1, -1).replace(/\\(.)/g, '$1');
  }
  return raw !== '' && !/[\s"]/.test(raw) ? raw : undefined;
}

/** Parses a Content-Type value; undefined when it is not a well-formed media type. */
export function parseMediaType(header: string): MediaType | undefined {
  const pieces = splitOutsideQuotes(header, ';');
  if (!pieces) return undefined;
  const [essence = '', ...rawParameters] = pieces.map((p) => p.trim());
  const [type, subtype, extra] = essence.split('/');
  if (!type || !subtype || extra !== undefined || !TOKEN.test(type) || !TOKEN.test(subtype)) return undefined;
  const parameters = new Map<string, string>();
  for (const raw of rawParameters) {
    if (raw === '') continue; // a trailing ';' is common and harmless
    const equals = raw.indexOf('=');
    const name = raw.slice(0, equals).trim().toLowerCase();
    const value = parameterValue(raw.slice(equals + 1).trim());
    // A repeated parameter (two boundaries) would let two parsers disagree on the body: refuse it.
    if (equals < 1 || !TOKEN.test(name) || value === undefined || parameters.has(name)) return undefined;
    parameters.set(name, value);
  }
  return { essence: essence.toLowerCase(), parameters };
}

/** Offset just after the first dash-boundary; anything before it is preamble (RFC 2046 §5.1.1). */
function firstBoundaryEnd(body: Buffer, dashBoundary: Buffer, delimiter: Buffer): number {
  if (body.subarray(0, dashBoundary.length).equals(dashBoundary)) return dashBoundary.length;
  const at = body.indexOf(delimiter);
  if (at < 0) throw new MultipartSyntaxError('multipart body does not contain its boundary');
  return at + delimiter.length;
}

function skipTransportPadding(body: Buffer, from: number): number {
  let at = from;
  while (body[at] === 0x20 || body[at] === 0x09) at += 1;
  return at;
}

/**
 * Reads what follows a boundary: `--` (close delimiter, then optional padding and epilogue) or
 * transport padding and CRLF before the next part. Anything else means the boundary string occurs
 * inside content, which RFC 2046 forbids the sender to do; the body cannot be split reliably.
 */
function afterBoundary(body: Buffer, at: number): { readonly closed: boolean; readonly next: number } {
  if (body[at] === 0x2d && body[at + 1] === 0x2d) {
    const end = skipTransportPadding(body, at + 2);
    if (end < body.length && !body.subarray(end, end + 2).equals(CRLF)) {
      throw new MultipartSyntaxError('unexpected bytes after the closing boundary');
    }
    return { closed: true, next: body.length };
  }
  const lineEnd = skipTransportPadding(body, at);
  if (!body.subarray(lineEnd, lineEnd + 2).equals(CRLF)) {
    throw new MultipartSyntaxError('boundary line is not followed by CRLF (or the boundary occurs inside a part)');
  }
  return { closed: false, next: lineEnd + 2 };
}

/** Header lines of one part (RFC 5322 §2.2 fields; obsolete folded lines are unfolded). */
function parseHeaderBlock(block: string): Map<string, string> {
  const headers = new Map<string, string>();
  let last: string | undefined;
  for (const line of block.split('\r\n')) {
    if ((line.startsWith(' ') || line.startsWith('\t')) && last !== undefined) {
      headers.set(last, `${headers.get(last) ?? ''} ${line.trim()}`);
      continue;
    }
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).toLowerCase();
    if (colon < 1 || !TOKEN.test(name)) throw new MultipartSyntaxError('part header line is not "Name: value"');
    const value = line.slice(colon + 1).trim();
    const previous = headers.get(name);
    headers.set(name, previous === undefined ? value : `${previous}, ${value}`);
    last = name;
  }
  return headers;
}

/** One encapsulated part: headers, an empty line, then the body (a part may have no headers). */
function parsePart(raw: Buffer): BodyPart {
  if (raw.subarray(0, 2).equals(CRLF)) return { headers: new Map(), body: raw.subarray(2) };
  const headerEnd = raw.subarray(0, MAX_HEADER_BYTES + HEADER_END.length).indexOf(HEADER_END);
  if (headerEnd < 0) {
    // Headers and no body at all: the header block's last CRLF is followed directly by the delimiter.
    if (raw.length <= MAX_HEADER_BYTES && raw.subarray(-2).equals(CRLF)) {
      return { headers: parseHeaderBlock(raw.subarray(0, -2).toString('latin1')), body: raw.subarray(raw.length) };
    }
    throw new MultipartSyntaxError('part headers are not followed by an empty line');
  }
  const headers = parseHeaderBlock(raw.subarray(0, headerEnd).toString('latin1'));
  return { headers, body: raw.subarray(headerEnd + HEADER_END.length) };
}

/**
 * Splits a complete multipart body into its parts. Requires CRLF line ends (RFC 2046 §5.1.1), at
 * least one part and the close delimiter: a body that stops early was cut off in transit, and its
 * last part must not be stored as if it were whole.
 */
export function parseMultipart(body: Buffer, boundary: string): BodyPart[] {
  if (!isValidBoundary(boundary)) throw new MultipartSyntaxError('invalid multipart boundary');
  const dashBoundary = Buffer.from(`--${boundary}`, 'latin1');
  const delimiter = Buffer.from(`\r\n--${boundary}`, 'latin1');
  const parts: BodyPart[] = [];
  let position = afterBoundary(body, firstBoundaryEnd(body, dashBoundary, delimiter));
  while (!position.closed) {
    const end = body.indexOf(delimiter, position.next);
    if (end < 0) throw new MultipartSyntaxError('multipart body ends before its closing boundary');
    parts.push(parsePart(body.subarray(position.next, end)));
    position = afterBoundary(body, end + delimiter.length);
  }
  if (parts.length === 0) throw new MultipartSyntaxError('multipart body has no parts');
  return parts;
}
