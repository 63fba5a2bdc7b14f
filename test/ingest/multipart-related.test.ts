import { expect } from 'chai';
import fc from 'fast-check';
import {
  MultipartSyntaxError,
  isValidBoundary,
  parseMediaType,
  parseMultipart,
} from '../../ingest/transports/multipart-related.ts';

/** Unit tests of the STOW-RS body parser (RFC 2046 §5.1.1 multipart, RFC 9110 §8.3.1 media types). */
const latin1 = (text: string): Buffer => Buffer.from(text, 'latin1');
const text = (bytes: Buffer): string => bytes.toString('latin1');

function expectSyntaxError(body: string | Buffer, boundary = 'b0undary', pattern?: RegExp): void {
  const bytes = typeof body === 'string' ? latin1(body) : body;
  expect(() => parseMultipart(bytes, boundary))
    .to.throw(MultipartSyntaxError)
    .with.property('message')
    .that.matches(pattern ?? /./);
}

describe('multipart/related parsing', () => {
  describe('parseMediaType', () => {
    it('reads the essence and parameters of a STOW-RS content type', () => {
      const media = parseMediaType('multipart/related; type="application/dicom"; boundary=abc123');
      expect(media?.essence).to.equal('multipart/related');
      expect(media?.parameters.get('type')).to.equal('application/dicom');
      expect(media?.parameters.get('boundary')).to.equal('abc123');
    });

    it('is case-insensitive in type and parameter names, and keeps the value as sent', () => {
      const media = parseMediaType('Multipart/Related;TYPE=application/dicom;  Boundary="Mixed Case"');
      expect(media?.essence).to.equal('multipart/related');
      expect(media?.parameters.get('type')).to.equal('application/dicom');
      expect(media?.parameters.get('boundary')).to.equal('Mixed Case');
    });

    it('reads quoted strings with escapes and separators inside them', () => {
      const media = parseMediaType('multipart/related; boundary="a;b\\"c"; type="application/dicom"');
      expect(media?.parameters.get('boundary')).to.equal('a;b"c');
      expect(media?.parameters.get('type')).to.equal('application/dicom');
    });

    it('accepts unquoted boundaries with characters a token may not hold, and a trailing ";"', () => {
      expect(parseMediaType('multipart/related; boundary=----=_Part_1;')?.parameters.get('boundary')).to.equal(
        '----=_Part_1',
      );
    });

    for (const bad of [
      '',
      'multipart',
      'multipart/',
      'a/b/c',
      'multipart/related; boundary',
      'multipart/related; =x',
      'multipart/related; boundary="open',
      'multipart/related; boundary=',
      'multipart/related; boundary=a; boundary=b',
      'multipart/related; boundary=a b',
      'multi part/related',
    ]) {
      it(`refuses ${JSON.stringify(bad)}`, () => {
        expect(parseMediaType(bad)).to.equal(undefined);
      });
    }
  });

  describe('isValidBoundary', () => {
    it('allows 1 to 70 bchars not ending in a space (RFC 2046 §5.1.1)', () => {
      expect(isValidBoundary('a')).to.equal(true);
      expect(isValidBoundary('x'.repeat(70))).to.equal(true);
      expect(isValidBoundary("0aZ'()+_,-./:=? z")).to.equal(true);
      expect(isValidBoundary('')).to.equal(false);
      expect(isValidBoundary('x'.repeat(71))).to.equal(false);
      expect(isValidBoundary('ends with space ')).to.equal(false);
      expect(isValidBoundary('quote"')).to.equal(false);
      expect(isValidBoundary('semi;colon')).to.equal(false);
    });
  });

  describe('parseMultipart', () => {
    it('splits parts and reads their headers', () => {
      const parts = parseMultipart(
        latin1(
          '--b0undary\r\nContent-Type: application/dicom\r\nContent-ID: <1>\r\n\r\nfirst\r\n' +
            '--b0undary\r\ncontent-type: application/dicom\r\n\r\nsecond\r\n--b0undary--\r\n',
        ),
        'b0undary',
      );
      expect(parts.map((p) => text(p.body))).to.deep.equal(['first', 'second']);
      expect(parts[0]!.headers.get('content-type')).to.equal('application/dicom');
      expect(parts[0]!.headers.get('content-id')).to.equal('<1>');
      expect(parts[1]!.headers.get('content-type')).to.equal('application/dicom');
    });

    it('keeps binary bodies intact, including CRLF, dashes and near-miss boundaries', () => {
      const binary = Buffer.concat([
        Buffer.from([0, 1, 2, 0xff, 0x0d, 0x0a]),
        latin1('--b0undar\r\n--b0undarX\r\n\r\n--\r\n'),
        Buffer.from([0x0d, 0x0a, 0x0d]),
      ]);
      const body = Buffer.concat([latin1('--b0undary\r\n\r\n'), binary, latin1('\r\n--b0undary--')]);
      const [part] = parseMultipart(body, 'b0undary');
      expect(part!.body.equals(binary)).to.equal(true);
      expect(part!.headers.size).to.equal(0);
    });

    it('ignores preamble, epilogue and transport padding', () => {
      const parts = parseMultipart(
        latin1(
          'This is a preamble.\r\n--b0undary \t\r\nContent-Type: application/dicom\r\n\r\none\r\n' +
            '--b0undary--  \r\nThis is the epilogue, with --b0undary in it.\r\n',
        ),
        'b0undary',
      );
      expect(parts.map((p) => text(p.body))).to.deep.equal(['one']);
    });

    it('accepts a body that ends right after the close delimiter', () => {
      const parts = parseMultipart(latin1('--b0undary\r\n\r\nx\r\n--b0undary--'), 'b0undary');
      expect(parts.map((p) => text(p.body))).to.deep.equal(['x']);
    });

    it('unfolds folded header lines and joins repeated fields', () => {
      const [part] = parseMultipart(
        latin1(
          '--b0undary\r\nContent-Type: application/dicom;\r\n transfer-syntax=1.2.840.10008.1.2.1\r\nX-A: 1\r\nX-A: 2\r\n\r\nz\r\n--b0undary--',
        ),
        'b0undary',
      );
      expect(part!.headers.get('content-type')).to.equal('application/dicom; transfer-syntax=1.2.840.10008.1.2.1');
      expect(part!.headers.get('x-a')).to.equal('1, 2');
    });

    it('reads a part that has headers and no body as an empty body', () => {
      const [part] = parseMultipart(
        latin1('--b0undary\r\nContent-Type: application/dicom\r\n\r\n--b0undary--'),
        'b0undary',
      );
      expect(part!.body.length).to.equal(0);
      expect(part!.headers.get('content-type')).to.equal('application/dicom');
    });

    it('returns views into the request buffer, not copies', () => {
      const body = latin1('--b0undary\r\n\r\npayload\r\n--b0undary--');
      const [part] = parseMultipart(body, 'b0undary');
      expect(part!.body.buffer).to.equal(body.buffer);
    });

    it('round-trips any binary parts (property)', () => {
      const boundary = 'kerma-3f1c9a2e7b';
      fc.assert(
        fc.property(fc.array(fc.uint8Array({ maxLength: 300 }), { minLength: 1, maxLength: 5 }), (bodies) => {
          const chunks = bodies.flatMap((b) => [
            latin1(`\r\n--${boundary}\r\nContent-Type: application/dicom\r\n\r\n`),
            Buffer.from(b),
          ]);
          const body = Buffer.concat([...chunks, latin1(`\r\n--${boundary}--\r\n`)]).subarray(2);
          const parts = parseMultipart(body, boundary);
          expect(parts.map((p) => Buffer.from(p.body).toString('hex'))).to.deep.equal(
            bodies.map((b) => Buffer.from(b).toString('hex')),
          );
        }),
        { numRuns: 300 },
      );
    });

    describe('refuses malformed bodies', () => {
      it('without its boundary', () =>
        expectSyntaxError('just some bytes', 'b0undary', /does not contain its boundary/));
      it('that stops before the close delimiter (cut off in transit)', () =>
        expectSyntaxError('--b0undary\r\n\r\nhalf a part', 'b0undary', /ends before its closing boundary/));
      it('with bare LF line ends', () => expectSyntaxError('--b0undary\n\nx\n--b0undary--\n', 'b0undary', /CRLF/));
      it('where the boundary is followed by other characters', () =>
        expectSyntaxError('--b0undary\r\n\r\nx\r\n--b0undaryX\r\n\r\ny\r\n--b0undary--', 'b0undary', /CRLF/));
      it('with bytes straight after the close delimiter', () =>
        expectSyntaxError('--b0undary\r\n\r\nx\r\n--b0undary--junk', 'b0undary', /after the closing boundary/));
      it('with no parts at all', () => expectSyntaxError('--b0undary--\r\n', 'b0undary', /no parts/));
      it('with a header line that is not "Name: value"', () =>
        expectSyntaxError('--b0undary\r\nnot a header\r\n\r\nx\r\n--b0undary--', 'b0undary', /Name: value/));
      it('with a header name that is not a token', () =>
        expectSyntaxError('--b0undary\r\nBad Name: v\r\n\r\nx\r\n--b0undary--', 'b0undary', /Name: value/));
      it('with binary data where the headers should be', () =>
        expectSyntaxError(
          Buffer.concat([latin1('--b0undary\r\n'), Buffer.alloc(20_000, 0x41), latin1('\r\n\r\nx\r\n--b0undary--')]),
          'b0undary',
          /not followed by an empty line/,
        ));
      it('when the boundary itself is invalid', () =>
        expectSyntaxError('--\r\n\r\nx\r\n----', '', /invalid multipart boundary/));
      it('when the body is empty', () => expectSyntaxError(Buffer.alloc(0), 'b0undary'));
    });
  });
});
