import type { ContentItem } from '../dicom/sr.ts';
import { R } from './radiopharmaceutical-concepts.ts';
import { childQuantity as num, toStorageUnit } from './radiopharmaceutical-units.ts';
import { childCode, childText } from './sr-context.ts';
import type { PatientCharacteristics } from './types.ts';

/**
 * PS3.16 TID 10024 Imaging Agent Administration Patient Characteristics (the (121118, DCM, "Patient
 * Characteristics") container of TID 10021 row 5). Every value is in the unit its field name carries;
 * the formulas and methods hang below the value they qualify.
 */
export function readPatientCharacteristics(container: ContentItem, warnings: string[]): PatientCharacteristics {
  const bsa = container.child(R.bodySurfaceArea);
  const bmi = container.child(R.bodyMassIndex);
  return {
    subjectAgeYears: num(container, R.subjectAge, 'ageYears', warnings),
    subjectSex: childCode(container, R.subjectSex),
    patientHeightCm: num(container, R.patientHeight, 'heightCm', warnings),
    patientWeightKg: num(container, R.patientWeight, 'weightKg', warnings),
    bodySurfaceAreaM2: num(container, R.bodySurfaceArea, 'areaM2', warnings),
    bodySurfaceAreaFormula: childCode(bsa, R.bodySurfaceAreaFormula),
    bodyMassIndexKgPerM2: num(container, R.bodyMassIndex, 'bmiKgPerM2', warnings),
    equation: childCode(bmi, R.equation),
    glucoseMmolPerL: num(container, R.glucose, 'glucoseMmolPerL', warnings),
    fastingDurationH: num(container, R.fastingDuration, 'durationH', warnings),
    hydrationVolumeMl: num(container, R.hydrationVolume, 'volumeMl', warnings),
    recentPhysicalActivity: childText(container, R.recentPhysicalActivity),
    serumCreatinineMgPerDl: num(container, R.serumCreatinine, 'creatinineMgPerDl', warnings),
    patientState: container.all(R.patientState).flatMap((item) => item.code() ?? []),
    glomerularFiltrationRates: container.all(R.glomerularFiltrationRate).map((gfr) => ({
      valueMlPerMinPer173M2: toStorageUnit(gfr.numeric(), 'gfrMlPerMinPer173M2', warnings, gfr.location),
      measurementMethod: childCode(gfr, R.measurementMethod),
      equivalentMeaningOfConceptName: childCode(gfr, R.equivalentMeaningOfConceptName),
    })),
  };
}
