import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type Router } from 'express';

/**
 * Static assets, all from this machine (a hospital network may have no internet): Kerma's CSS from
 * dashboard/static and htmx from node_modules, under /static. URLs carry a hash of the content, so
 * browsers may cache them for a year and still see a new version the moment it ships.
 */
const require = createRequire(import.meta.url);
const here = path.dirname(fileURLToPath(import.meta.url));

/** A file beside a package's entry point: chart.js and its plugins do not export their browser builds. */
const besideEntry = (pkg: string, file: string): string => path.join(path.dirname(require.resolve(pkg)), file);

const ASSETS = {
  'kerma.css': path.join(here, 'static', 'kerma.css'),
  'favicon.svg': path.join(here, 'static', 'favicon.svg'),
  'htmx.min.js': require.resolve('htmx.org/dist/htmx.min.js'),
  'charts.js': path.join(here, 'static', 'charts.js'),
  'chart.umd.min.js': besideEntry('chart.js', 'chart.umd.min.js'),
  'chartjs-chart-boxplot.min.js': besideEntry('@sgratzl/chartjs-chart-boxplot', 'index.umd.min.js'),
  'chartjs-plugin-annotation.min.js': besideEntry('chartjs-plugin-annotation', 'chartjs-plugin-annotation.min.js'),
} as const satisfies Record<string, string>;

const versions = new Map<string, string>();

/** `/static/NAME?v=HASH` for an asset listed above. */
export type AssetName = keyof typeof ASSETS;

export function assetUrl(name: AssetName): string {
  let version = versions.get(name);
  const file = ASSETS[name];
  if (!file) throw new Error(`unknown asset ${name}`);
  if (!version) {
    version = createHash('sha256').update(readFileSync(file)).digest('hex').slice(0, 12);
    versions.set(name, version);
  }
  return `/static/${name}?v=${version}`;
}

const YEAR_S = 365 * 24 * 3600;

export function staticAssetsRouter(): Router {
  const router = express.Router();
  router.get('/static/:name', (req, res, next) => {
    const file = (ASSETS as Readonly<Record<string, string>>)[req.params.name];
    if (!file) return next();
    res.set('Cache-Control', `public, max-age=${YEAR_S}, immutable`);
    res.sendFile(file, (error) => {
      if (error) next(error);
    });
  });
  return router;
}
