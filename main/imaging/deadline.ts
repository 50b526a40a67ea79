/**
 * Settles with `work`, or rejects with `error()` after `ms`. A decoder stuck on a file that stops
 * answering (a stalled network drive) then fails its image instead of holding the batch for ever.
 */
export function withDeadline<T>(work: Promise<T>, ms: number, error: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(error()), ms);
    timer.unref();
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

/**
 * Settles with `work`, or rejects with `error()` as soon as `signal` aborts: a cancel or a shutdown
 * is not held up by a read that may take minutes to give up. `work` is left to settle on its own.
 */
export function untilAborted<T>(work: Promise<T>, signal: AbortSignal | undefined, error: () => Error): Promise<T> {
  if (!signal) return work;
  if (signal.aborted) return Promise.reject(error());
  let onAbort!: () => void;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(error());
    signal.addEventListener('abort', onAbort, { once: true });
  });
  return Promise.race([work, aborted]).finally(() => signal.removeEventListener('abort', onAbort));
}
