/**
 * The arithmetic of per-exam dose metrics, as pure functions. The recompute SQL (recompute.ts) does
 * the same arithmetic set-based; the worked-example tests check both against hand calculations.
 */

/** E = k × DLP (reference data §5.1): k in mSv/(mGy·cm), DLP per complete examination. */
export function effectiveDoseFromDlpMsv(kMsvPerMgyCm: number, dlpMgyCm: number): number {
  return kMsvPerMgyCm * dlpMgyCm;
}

/** E = (E/A) × A for one administration (reference data §5.3). */
export function effectiveDoseFromActivityMsv(eMsvPerMbq: number, activityMbq: number): number {
  return eMsvPerMbq * activityMbq;
}

/** E = (E/P_KA) × P_KA (reference data §5.2; only where the reference data has a factor). */
export function effectiveDoseFromDapMsv(eMsvPerGyCm2: number, dapGyCm2: number): number {
  return eMsvPerGyCm2 * dapGyCm2;
}

/** The AAPM 204 conversion constants of one CTDIvol phantom: f(D) = a · exp(−b · D), D in cm. */
export interface SsdeConstants {
  readonly a: number;
  readonly bPerCm: number;
}

/** AAPM Report 204 conversion factor f(D) for a patient size D (cm). */
export function ssdeConversionFactor(diameterCm: number, constants: SsdeConstants): number {
  return constants.a * Math.exp(-constants.bPerCm * diameterCm);
}

/**
 * SSDE = f(D) × CTDIvol (AAPM Report 204). D is the effective diameter (Report 204) or the
 * water-equivalent diameter (Report 220, which puts D_w in the same f(D)).
 */
export function ssdeMgy(ctdiVolMgy: number, diameterCm: number, constants: SsdeConstants): number {
  return ctdiVolMgy * ssdeConversionFactor(diameterCm, constants);
}

/** AAPM 204 effective diameter: √(AP × LAT), both in cm. */
export function effectiveDiameterCm(apCm: number, lateralCm: number): number {
  return Math.sqrt(apCm * lateralCm);
}
