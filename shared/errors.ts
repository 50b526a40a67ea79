/**
 * Errors a user can meet. Each says what happened, to which file, and what to do, so that the CLI,
 * the queue and the UI can show `message` as it is. `code` lets callers react (e.g. pause a batch
 * on a full disk instead of failing every remaining item).
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
  'internal',
] as const;
export type ErrorCode = (typeof errorCodes)[number];

export class StudioError extends Error {
  readonly code: ErrorCode;
  readonly file?: string;

  constructor(code: ErrorCode, message: string, options: { file?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'StudioError';
    this.code = code;
    this.file = options.file;
  }
}

export function isStudioError(e: unknown, code?: ErrorCode): e is StudioError {
  return e instanceof StudioError && (code === undefined || e.code === code);
}

/** Codes after which retrying the next item of a batch is pointless until the user acts. */
export const batchStoppingCodes: readonly ErrorCode[] = ['disk-full', 'permission-denied'];
