/**
 * One entry point for every request, whatever carried it: look the method up in the contract,
 * validate the payload with its schema, check the paths it names, call the handler, and turn the
 * outcome into a WireResult. Both transports call this, so they validate identically.
 */
import type { z } from 'zod';
import { StudioError, describeIssues } from '../../shared/errors.js';
import { specOf, type StudioHandlers } from '../../shared/api/contract.js';
import { toWireError } from '../../shared/api/client.js';
import type { WireResult } from '../../shared/api/types.js';

export type Dispatch = (method: string, payload: unknown) => Promise<WireResult<unknown>>;

export interface DispatchOptions {
  /**
   * Throws a StudioError when a payload names a path the host does not let the renderer touch.
   * `chosen` are those the request itself chooses (see MethodSpec.chooses).
   */
  checkPaths?: (paths: string[], chosen: string[]) => void;
}

export function createDispatch(handlers: StudioHandlers, options: DispatchOptions = {}): Dispatch {
  return async (method, payload) => {
    try {
      const spec = specOf(method);
      if (!spec) throw new StudioError('invalid-settings', `CTMSR Studio has no request called "${method}".`);
      const parsed = spec.input.safeParse(payload ?? {});
      if (!parsed.success) throw invalidRequest(method, parsed.error);
      if (spec.paths && options.checkPaths) options.checkPaths(spec.paths(parsed.data), spec.chooses?.(parsed.data) ?? []);
      const [service, name] = method.split('.') as [keyof StudioHandlers, string];
      const handler = (handlers[service] as Record<string, (input: unknown) => unknown>)[name];
      return { ok: true, result: (await handler(parsed.data)) ?? null };
    } catch (e) {
      return { ok: false, error: toWireError(e) };
    }
  };
}

function invalidRequest(method: string, error: z.ZodError): StudioError {
  const problems = describeIssues(error.issues, 'request');
  return new StudioError('invalid-settings', `The request ${method} was not accepted: ${problems}.`);
}
