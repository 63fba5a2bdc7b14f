/** SOP Class UIDs Kerma reads (PS3.4 Annex B.5), by name. */
export const SopClass = {
  XRayRadiationDoseSR: '1.2.840.10008.5.1.4.1.1.88.67',
  RadiopharmaceuticalRadiationDoseSR: '1.2.840.10008.5.1.4.1.1.88.68',
  EnhancedSR: '1.2.840.10008.5.1.4.1.1.88.22',
  ComprehensiveSR: '1.2.840.10008.5.1.4.1.1.88.33',
  Comprehensive3DSR: '1.2.840.10008.5.1.4.1.1.88.34',
  CTImage: '1.2.840.10008.5.1.4.1.1.2',
  EnhancedCTImage: '1.2.840.10008.5.1.4.1.1.2.1',
  ComputedRadiographyImage: '1.2.840.10008.5.1.4.1.1.1',
  DigitalXRayImageForPresentation: '1.2.840.10008.5.1.4.1.1.1.1',
  DigitalXRayImageForProcessing: '1.2.840.10008.5.1.4.1.1.1.1.1',
  DigitalMammographyImageForPresentation: '1.2.840.10008.5.1.4.1.1.1.2',
  DigitalMammographyImageForProcessing: '1.2.840.10008.5.1.4.1.1.1.2.1',
  BreastTomosynthesisImage: '1.2.840.10008.5.1.4.1.1.13.1.3',
  SecondaryCaptureImage: '1.2.840.10008.5.1.4.1.1.7',
  NuclearMedicineImage: '1.2.840.10008.5.1.4.1.1.20',
  PETImage: '1.2.840.10008.5.1.4.1.1.128',
  EnhancedPETImage: '1.2.840.10008.5.1.4.1.1.130',
  XRayAngiographicImage: '1.2.840.10008.5.1.4.1.1.12.1',
  XRayRadiofluoroscopicImage: '1.2.840.10008.5.1.4.1.1.12.2',
} as const;

/** SR classes that may carry a dose template (TID 10001 / 10011 / 10021). */
export const DOSE_CAPABLE_SR_CLASSES: ReadonlySet<string> = new Set([
  SopClass.XRayRadiationDoseSR,
  SopClass.RadiopharmaceuticalRadiationDoseSR,
  SopClass.EnhancedSR,
  SopClass.ComprehensiveSR,
  SopClass.Comprehensive3DSR,
]);
