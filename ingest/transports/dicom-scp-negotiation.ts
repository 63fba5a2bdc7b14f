import dcmjsDimse, { type association } from 'dcmjs-dimse';
import { DOSE_CAPABLE_SR_CLASSES, SopClass } from '../dicom/sop-classes.ts';

/**
 * Association negotiation for the C-STORE SCP: who may associate (PS3.8 section 9.3.4,
 * A-ASSOCIATE-RJ) and which presentation contexts are accepted (PS3.8 section 9.3.3.2).
 */
const { PresentationContextResult, RejectReason, RejectResult, RejectSource } = dcmjsDimse.constants;

export const VERIFICATION_SOP_CLASS = '1.2.840.10008.1.1';

export const TransferSyntax = {
  ImplicitVRLittleEndian: '1.2.840.10008.1.2',
  ExplicitVRLittleEndian: '1.2.840.10008.1.2.1',
  DeflatedExplicitVRLittleEndian: '1.2.840.10008.1.2.1.99',
} as const;

/**
 * Encapsulated (compressed pixel data) syntaxes, accepted for image classes only. Their data set is
 * Explicit VR Little Endian (PS3.5 section A.4), so the header extractors read it; pixels are never
 * decoded. RLE and the JPEG family (JPEG, JPEG-LS, JPEG 2000, HTJ2K, JPEG XL) are what modalities
 * and PACS send; video syntaxes are not, as no extractor reads video objects.
 */
const ENCAPSULATED_IMAGE_SYNTAXES = [
  '1.2.840.10008.1.2.4.50', // JPEG Baseline (Process 1)
  '1.2.840.10008.1.2.4.51', // JPEG Extended (Process 2 & 4)
  '1.2.840.10008.1.2.4.57', // JPEG Lossless, Non-Hierarchical (Process 14)
  '1.2.840.10008.1.2.4.70', // JPEG Lossless, First-Order Prediction (Process 14 [SV1])
  '1.2.840.10008.1.2.4.80', // JPEG-LS Lossless
  '1.2.840.10008.1.2.4.81', // JPEG-LS Near-Lossless
  '1.2.840.10008.1.2.4.90', // JPEG 2000 Lossless Only
  '1.2.840.10008.1.2.4.91', // JPEG 2000
  '1.2.840.10008.1.2.4.201', // HTJ2K Lossless
  '1.2.840.10008.1.2.4.202', // HTJ2K Lossless RPCL
  '1.2.840.10008.1.2.4.203', // HTJ2K
  '1.2.840.10008.1.2.4.110', // JPEG XL Lossless
  '1.2.840.10008.1.2.4.111', // JPEG XL JPEG Recompression
  '1.2.840.10008.1.2.4.112', // JPEG XL
  '1.2.840.10008.1.2.5', // RLE Lossless
] as const;

/**
 * Our order of preference when a context proposes several syntaxes: explicit VR first (it keeps
 * the VRs of private and unknown elements), then implicit, then deflated; compressed syntaxes only
 * when the sender offers no uncompressed one, so every stored file opens in any tool.
 */
const UNCOMPRESSED = [
  TransferSyntax.ExplicitVRLittleEndian,
  TransferSyntax.ImplicitVRLittleEndian,
  TransferSyntax.DeflatedExplicitVRLittleEndian,
] as const;
const IMAGE_SYNTAXES: readonly string[] = [...UNCOMPRESSED, ...ENCAPSULATED_IMAGE_SYNTAXES];
const SR_SYNTAXES: readonly string[] = UNCOMPRESSED;
/** Verification carries no data set: the two little-endian syntaxes (PS3.5 section 10.1). */
const VERIFICATION_SYNTAXES: readonly string[] = [
  TransferSyntax.ExplicitVRLittleEndian,
  TransferSyntax.ImplicitVRLittleEndian,
];

/** Storage SOP classes accepted: everything an extractor reads (ingest/dicom/sop-classes.ts). */
export const STORAGE_SOP_CLASSES: ReadonlySet<string> = new Set(Object.values(SopClass));

function acceptableSyntaxes(abstractSyntaxUid: string): readonly string[] | undefined {
  if (abstractSyntaxUid === VERIFICATION_SOP_CLASS) return VERIFICATION_SYNTAXES;
  if (DOSE_CAPABLE_SR_CLASSES.has(abstractSyntaxUid)) return SR_SYNTAXES;
  if (STORAGE_SOP_CLASSES.has(abstractSyntaxUid)) return IMAGE_SYNTAXES;
  return undefined;
}

/**
 * Sets the result of every proposed presentation context (PS3.8 Table 9-18): acceptance with one
 * transfer syntax, abstract-syntax-not-supported (3) or transfer-syntaxes-not-supported (4).
 */
export function negotiatePresentationContexts(requested: association.Association): number {
  let accepted = 0;
  for (const { context } of requested.getPresentationContexts()) {
    const syntaxes = acceptableSyntaxes(context.getAbstractSyntaxUid());
    if (!syntaxes) {
      context.setResult(PresentationContextResult.RejectAbstractSyntaxNotSupported);
      continue;
    }
    const chosen = syntaxes.find((uid) => context.hasTransferSyntaxUid(uid));
    if (chosen) {
      context.setResult(PresentationContextResult.Accept, chosen);
      accepted += 1;
    } else {
      context.setResult(PresentationContextResult.RejectTransferSyntaxesNotSupported);
    }
  }
  return accepted;
}

export function isAcceptedContext(context: association.PresentationContext): boolean {
  return context.getResult() === PresentationContextResult.Accept;
}

export interface AssociationPolicy {
  readonly aeTitle: string;
  /** Calling AE title -> trust code; empty means any caller, under `defaultTrustCode`. */
  readonly callingAeTitles: ReadonlyMap<string, string>;
  readonly defaultTrustCode: string;
}

export type AssociationDecision =
  | { readonly accept: true; readonly trustCode: string }
  | {
      readonly accept: false;
      readonly result: number;
      readonly source: number;
      readonly reason: number;
      readonly description: string;
    };

/**
 * A-ASSOCIATE-RJ parameters from PS3.8 section 9.3.4 (Table 9-21): result 1 rejected-permanent,
 * source 1 DICOM UL service-user, reason 7 called-AE-title-not-recognized or 3
 * calling-AE-title-not-recognized. AE titles compare without their space padding (PS3.5 Table 6.2-1).
 */
export function decideAssociation(
  calledAeTitle: string,
  callingAeTitle: string,
  policy: AssociationPolicy,
): AssociationDecision {
  const rejection = (reason: number, description: string): AssociationDecision => ({
    accept: false,
    result: RejectResult.Permanent,
    source: RejectSource.ServiceUser,
    reason,
    description,
  });
  if (calledAeTitle.trim() !== policy.aeTitle.trim()) {
    return rejection(RejectReason.CalledAeNotRecognized, 'called AE title not recognized');
  }
  if (policy.callingAeTitles.size === 0) return { accept: true, trustCode: policy.defaultTrustCode };
  const trustCode = policy.callingAeTitles.get(callingAeTitle.trim());
  if (trustCode === undefined) return rejection(RejectReason.CallingAeNotRecognized, 'calling AE title not recognized');
  return { accept: true, trustCode };
}

/**
 * Too many associations at once: rejected-transient (2), source DICOM UL service-provider
 * (presentation related function, 3), reason local-limit-exceeded (2), PS3.8 Table 9-21. Transient
 * tells the sender to try again later rather than give up.
 */
export const LOCAL_LIMIT_EXCEEDED: AssociationDecision = {
  accept: false,
  result: RejectResult.Transient,
  source: RejectSource.ServiceProviderPresentation,
  reason: RejectReason.LocalLimitExceeded,
  description: 'local limit exceeded',
};
