import { assetUrl, type AssetName } from '../static-assets.ts';
import type { ComponentChildren } from 'preact';

/**
 * The HTML document: stylesheet and htmx from /static, nothing inline (the CSP allows only 'self').
 * htmx's own indicator stylesheet is switched off (kerma.css carries those rules). `refreshTo` (a local
 * path) moves on without a script, for a page that must be left by a navigation of Kerma's own.
 */
export function HtmlDocument(props: {
  title: string;
  refreshTo?: string | undefined;
  /** Scripts of the page beyond htmx, from /static, run in order after parsing (e.g. CHART_SCRIPTS). */
  scripts?: readonly AssetName[] | undefined;
  children: ComponentChildren;
}) {
  return (
    <html lang="en-GB">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="htmx-config" content="includeIndicatorCSS:false" />
        {props.refreshTo ? <meta http-equiv="refresh" content={`0;url=${props.refreshTo}`} /> : null}
        <title>{`${props.title} · Kerma`}</title>
        <link rel="icon" type="image/svg+xml" href={assetUrl('favicon.svg')} />
        <link rel="stylesheet" href={assetUrl('kerma.css')} />
        <script src={assetUrl('htmx.min.js')} defer />
        {(props.scripts ?? []).map((name) => (
          <script key={name} src={assetUrl(name)} defer />
        ))}
      </head>
      <body>{props.children}</body>
    </html>
  );
}
