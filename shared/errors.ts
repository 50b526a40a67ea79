/**
 * Errors a user can meet. Each says what happened, to which file, and what to do, so that the CLI,
 * the queue and the UI can show `message` as it is. `code` lets callers react (e.g. pause a batch
 * on a full disk instead of failing every remaining item); `stage` says which side failed, so the
 * same code ("permission denied") can fail one photo when it is an input and stop a batch when it
 * is the output folder.
 */
export const errorCodes = [
  'unreadable-image', // corrupt, truncated or not an image
  'unsupported-format',
  'image-too-large',
  'not-found',
  'permission-denied',
  'disk-full',
  'output-exists',
  'model-invalid',
  'provider-unavailable',
  'out-of-memory',
  'cancelled',
  'invalid-settings',
  'not-available', // a feature this host does not offer (file dialogs in a browser)
  'in-use', // something the user asked to remove that other work still needs (a training run's base model)
  'conflict', // the thing is in a state that refuses the request (a run that is training, not training, finished)
  'python-missing', // training needs a Python with PyTorch and none works
  'internal',
] as const;
export type ErrorCode = (typeof errorCodes)[number];

/**
 * Where in the work an error arose: what the user gave (a photo, a folder, a setting), the model,
 * the engine running it, or the output being written.
 */
export const errorStages = ['input', 'model', 'engine', 'output'] as const;
export type ErrorStage = (typeof errorStages)[number];

/** The stage a code means when the thrower does not say: only not-found and permission-denied need saying. */
const stageOfCode: Record<ErrorCode, ErrorStage> = {
  'unreadable-image': 'input',
  'unsupported-format': 'input',
  'image-too-large': 'input',
  'not-found': 'input',
  'permission-denied': 'input',
  'disk-full': 'output',
  'output-exists': 'output',
  'model-invalid': 'model',
  'provider-unavailable': 'engine',
  'out-of-memory': 'engine',
  cancelled: 'engine',
  'invalid-settings': 'input',
  'not-available': 'input',
  'in-use': 'model',
  conflict: 'input',
  'python-missing': 'engine',
  internal: 'engine',
};

/**
 * A refusal's key and values (shared/refusals.ts), so that the UI can say it in its own language. A value may itself
 * be said: a part of the sentence that has its own wording (what to do, which limit).
 */
export interface Said {
  key: string;
  params: Record<string, SaidValue>;
}
export type SaidValue = string | number | Said;

export interface StudioErrorOptions {
  file?: string;
  said?: Said;
  cause?: unknown;
  /** Default: the stage the code usually means (see stageOfCode). */
  stage?: ErrorStage;
}

export class StudioError extends Error {
  readonly code: ErrorCode;
  readonly stage: ErrorStage;
  readonly file?: string;
  readonly said?: Said;

  constructor(code: ErrorCode, message: string, options: StudioErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'StudioError';
    this.code = code;
    this.stage = options.stage ?? stageOfCode[code];
    this.file = options.file;
    this.said = options.said;
  }
}

/** What a stopped image or run fails with, wherever the stop is noticed (between tiles, before writing, while decoding). */
export function cancelledError(): StudioError {
  return new StudioError('cancelled', 'Cancelled by the user.');
}

export function isStudioError(e: unknown, code?: ErrorCode): e is StudioError {
  return e instanceof StudioError && (code === undefined || e.code === code);
}

/** Codes that, on the output side, mean every further image would fail the same way until the user acts. */
export const batchStoppingCodes: readonly ErrorCode[] = ['disk-full', 'permission-denied', 'not-found'];

/**
 * The one stop rule of a batch: stop only when the output side cannot take more (disk full,
 * read-only, output folder gone). Any failure of an input fails that image alone.
 */
export function stopsBatch(error: StudioError): boolean {
  return error.stage === 'output' && batchStoppingCodes.includes(error.code);
}

/** Allocation failures as ONNX Runtime, the CUDA/DirectML providers and Node report them. */
export function isOutOfMemory(e: unknown): boolean {
  const err = e as { code?: string; message?: string } | undefined;
  return /bad_alloc|alloc(ate|ation)? fail|failed to allocate|out of memory|\bOOM\b|ENOMEM/i.test(`${err?.code ?? ''} ${err?.message ?? String(e)}`);
}

/** A validation issue as zod reports it (path into the value, message). */
export interface ValidationIssue {
  path: readonly PropertyKey[];
  message: string;
}

/** Validation issues as one line for a person: `field.sub: message; other: message`. */
export function describeIssues(issues: readonly ValidationIssue[], whole = 'value'): string {
  return issues.map((i) => `${i.path.map(String).join('.') || whole}: ${i.message}`).join('; ');
}
