// The small part of dcmjs Kerma uses (writing Part 10 fixtures, editing corpus files in memory); no types ship.
declare module 'dcmjs' {
  type Dataset = Record<string, unknown>;

  class DicomDict {
    constructor(meta: Dataset);
    dict: Dataset;
    write(options?: { allowInvalidVRLength?: boolean }): ArrayBuffer;
  }

  // eslint-disable-next-line @typescript-eslint/no-unused-vars -- declared for `typeof` below
  const DicomMetaDictionary: {
    denaturalizeDataset(dataset: Dataset): Dataset;
    naturalizeDataset(dataset: Dataset): Dataset;
    /** Keyword → its tag "(gggg,eeee)" and VR. */
    nameMap: Record<string, { tag: string; vr: string } | undefined>;
    /** "(0008,1010)" → "00081010", the key of a denaturalised dataset. */
    unpunctuateTag(tag: string): string;
  };

  const dcmjs: {
    data: {
      DicomDict: typeof DicomDict;
      DicomMetaDictionary: typeof DicomMetaDictionary;
      DicomMessage: { readFile(buffer: ArrayBuffer): DicomDict & { meta: Dataset } };
    };
  };
  export default dcmjs;
}
