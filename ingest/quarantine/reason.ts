/**
 * A quarantine reason as a user may read it. Reasons are written by the parser and extractors and
 * name tags and content items, not values; this is the second line of defence for a message that
 * quotes something it should not: a server file path (the object store's layout, an import folder)
 * or a number shaped like an NHS number.
 */
// A drive or UNC path, or a slash starting a word ("/var/…", not "mGy/s"); it ends at a space, a quote
// or the punctuation that follows a path in a sentence.
const ABSOLUTE_PATH = /(?:[A-Za-z]:\\|\\\\|(?<![\w.:])\/(?=[^\s'",;:)]))[^\s'",;:)]*/g;
// Ten digits, optionally grouped 3-3-4, not part of a dotted UID or a longer number.
const NHS_NUMBER_SHAPE = /(?<![\d.])\d{3}[ -]?\d{3}[ -]?\d{4}(?![\d.])/g;

export function safeReason(reason: string): string {
  return reason.replace(ABSOLUTE_PATH, '[path]').replace(NHS_NUMBER_SHAPE, '[number]');
}
