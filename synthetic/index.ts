// The synthetic region: a seeded generator of ingestible dose data (DICOM mode) and a bulk loader of
// the ingest store (direct mode), for the demo, end-to-end tests and scale fixtures. Used by the CLI's
// generate and demo commands (loaded on use), benchmarks and tests; nothing here is used by the
// service itself.
export { buildRegionModel, DEFAULT_OPTIONS, type GeneratorOptions, type RegionModel } from './model.ts';
export { createExamStream, type ExamStream } from './exams.ts';
export type { SynthExam, SynthOrder, Scenario } from './types.ts';
export { writeDicomRegion, type DicomRegionResult } from './dicom-region.ts';
export { doseReportFile, trustsFileContent, type Part10Writer } from './dicom-writer.ts';
export { directLoad, type DirectLoadOptions, type DirectLoadResult } from './direct-load.ts';
export {
  DEMO_OPTIONS,
  prepareDemoRegion,
  startDemoSender,
  type DemoProgress,
  type DemoRegion,
  type DemoSender,
  type SendProgress,
} from './demo.ts';
export { readPart10Meta, type Part10Meta } from './part10-meta.ts';
export {
  listDicomFiles,
  sendFiles,
  sendFolder,
  type ScpAddress,
  type SendJob,
  type SendResult,
  type SendTarget,
} from './send.ts';
