import { describe, expect, it } from 'vitest';
import type { StudioHandlers } from '../../../shared/api/contract.js';
import { StudioError } from '../../../shared/errors.js';
import { createDispatch } from '../dispatch.js';

/** Handlers for the few requests these tests send; the dispatch never reaches the others. */
function handlers(log: unknown[]): StudioHandlers {
  return {
    library: {
      addFolder: (input: unknown) => {
        log.push(input);
        return { rootId: 1, dir: '', name: 'p', path: '/p', imageCount: 0, totalCount: 0, children: [] };
      },
      query: (input: unknown) => {
        log.push(input);
        throw new StudioError('not-found', 'The folder is gone.', { file: '/p' });
      },
      removeFolder: () => {
        throw new Error('database is locked');
      },
    },
    queue: { pause: () => undefined },
  } as unknown as StudioHandlers;
}

describe('dispatch', () => {
  it('validates, fills defaults and answers with the result', async () => {
    const log: unknown[] = [];
    const reply = await createDispatch(handlers(log))('library.addFolder', { path: '/p' });
    expect(reply).toMatchObject({ ok: true, result: { path: '/p' } });
    expect(log).toEqual([{ path: '/p' }]);
  });

  it('answers void requests with null, which survives JSON', async () => {
    expect(await createDispatch(handlers([]))('queue.pause', { batchId: 1 })).toEqual({ ok: true, result: null });
  });

  it('refuses invalid payloads with a readable sentence before any handler runs', async () => {
    const log: unknown[] = [];
    const reply = await createDispatch(handlers(log))('library.addFolder', { path: 42 });
    expect(reply.ok).toBe(false);
    if (!reply.ok) {
      expect(reply.error.code).toBe('invalid-settings');
      expect(reply.error.message).toMatch(/^The request library\.addFolder was not accepted: path: /);
    }
    expect(log).toEqual([]);
  });

  it('refuses unknown requests', async () => {
    const reply = await createDispatch(handlers([]))('library.__proto__', {});
    expect(reply).toEqual({ ok: false, error: { code: 'invalid-settings', stage: 'input', message: 'CTMSR Studio has no request called "library.__proto__".' } });
  });

  it('checks the paths a payload names before calling the handler', async () => {
    const log: unknown[] = [];
    const seen: string[][] = [];
    const dispatch = createDispatch(handlers(log), {
      checkPaths: (paths) => {
        seen.push(paths);
        throw new StudioError('permission-denied', 'Not chosen.');
      },
    });
    expect(await dispatch('library.addFolder', { path: '/etc' })).toEqual({ ok: false, error: { code: 'permission-denied', stage: 'input', message: 'Not chosen.' } });
    expect(seen).toEqual([['/etc']]);
    expect(log).toEqual([]);
  });

  it('passes StudioErrors through and wraps anything else', async () => {
    const dispatch = createDispatch(handlers([]));
    expect(await dispatch('library.query', {})).toEqual({ ok: false, error: { code: 'not-found', stage: 'input', message: 'The folder is gone.', file: '/p' } });
    expect(await dispatch('library.removeFolder', { rootId: 1 })).toEqual({
      ok: false,
      error: { code: 'internal', message: 'Something went wrong inside CTMSR Studio: database is locked' },
    });
  });
});
