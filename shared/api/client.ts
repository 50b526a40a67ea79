/** Builds the typed StudioApi over any transport that can send one named request. */
import { z } from 'zod';
import { StudioError, errorCodes, errorStages, type ErrorCode, type Said } from '../errors.js';
import { contract, type MethodName, type ServiceName, type StudioApi } from './contract.js';
import type { EventName, StudioEvents, Unsubscribe } from './events.js';
import type { WireError, WireResult } from './types.js';

/** What the renderer sees as `window.studio`, whichever transport carries it. */
export type StudioBridge = StudioApi & {
  on<K extends EventName>(name: K, handler: (payload: StudioEvents[K]) => void): Unsubscribe;
  /** The URL under which a media path (see media.ts) is served. */
  mediaUrl(path: string): string;
};

export type Invoke = (method: MethodName, input: unknown) => Promise<unknown>;

export function createApi(invoke: Invoke): StudioApi {
  const api: Record<string, Record<string, (input?: unknown) => Promise<unknown>>> = {};
  for (const service of Object.keys(contract) as ServiceName[]) {
    api[service] = {};
    for (const m of Object.keys(contract[service])) {
      api[service][m] = (input?: unknown) => invoke(`${service}.${m}` as MethodName, input ?? {});
    }
  }
  return api as unknown as StudioApi;
}

export function toWireError(e: unknown): WireError {
  if (e instanceof StudioError) {
    const wire: WireError = { code: e.code, stage: e.stage, message: e.message };
    if (e.file) wire.file = e.file;
    if (e.said) wire.said = e.said;
    return wire;
  }
  const detail = e instanceof Error ? e.message : String(e);
  return { code: 'internal', message: `Something went wrong inside CTMSR Studio: ${detail}` };
}

export function fromWireError(w: WireError): StudioError {
  const code: ErrorCode = (errorCodes as readonly string[]).includes(w.code) ? w.code : 'internal';
  const stage = w.stage && (errorStages as readonly string[]).includes(w.stage) ? w.stage : undefined;
  return new StudioError(code, w.message, { file: w.file, stage, said: saidOf(w.said) });
}

const saidSchema: z.ZodType<Said> = z.lazy(() => z.object({ key: z.string(), params: z.record(z.string(), z.union([z.string(), z.number(), saidSchema])) }));

/** A key and values as sent; anything else (an older or foreign peer) is dropped and the message shown as it is. */
export function saidOf(said: unknown): Said | undefined {
  const parsed = saidSchema.safeParse(said);
  return parsed.success ? parsed.data : undefined;
}

export function unwrap<T>(result: WireResult<T>): T {
  if (result.ok) return result.result;
  throw fromWireError(result.error);
}
