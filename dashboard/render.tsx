import type { Response } from 'express';
import type { VNode } from 'preact';
import { renderToString } from 'preact-render-to-string';

/** Sends a server-rendered page. Preact escapes every interpolated value, so data never becomes markup. */
export function sendHtml(res: Response, page: VNode, status = 200): void {
  res
    .status(status)
    .type('html')
    .set('Cache-Control', 'no-store')
    .send(`<!doctype html>${renderToString(page)}`);
}
