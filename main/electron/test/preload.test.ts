import { beforeEach, describe, expect, it, vi } from 'vitest';

// The Electron binary cannot run here, so the two objects the preload touches are stand-ins that
// record what it exposes and answer its invokes like main's dispatch would.
const exposed: Record<string, unknown> = {};
const invoked: [string, unknown][] = [];
let onEvent: ((event: unknown, payload: unknown) => void) | undefined;

vi.mock('electron', () => ({
  contextBridge: { exposeInMainWorld: (key: string, value: unknown) => (exposed[key] = value) },
  ipcRenderer: {
    invoke: async (channel: string, payload: unknown) => {
      invoked.push([channel, payload]);
      return channel === 'studio:library.folders' ? { ok: true, result: [] } : { ok: false, error: { code: 'not-found', message: 'That folder is gone.' } };
    },
    on: (_channel: string, listener: (event: unknown, payload: unknown) => void) => (onEvent = listener),
  },
}));

type Bridge = {
  library: { folders: (p?: unknown) => Promise<unknown>; rescan: (p: unknown) => Promise<unknown> };
  on: (name: string, handler: (payload: unknown) => void) => () => void;
  mediaUrl: (path: string) => string;
};

describe('the preload bridge', () => {
  beforeEach(async () => {
    if (!exposed.studio) {
      process.argv.push('--studio-methods=library.folders,library.rescan');
      await import('../preload/preload.js');
    }
  });

  it('exposes window.studio with the requests main named', () => {
    const studio = exposed.studio as Bridge;
    expect(Object.keys(studio).sort()).toEqual(['library', 'mediaUrl', 'on']);
    expect(Object.keys(studio.library).sort()).toEqual(['folders', 'rescan']);
    expect(studio.mediaUrl('thumb/3')).toBe('studio://app/media/thumb/3');
  });

  it('resolves results and rejects with the user-facing message', async () => {
    const studio = exposed.studio as Bridge;
    expect(await studio.library.folders()).toEqual([]);
    await expect(studio.library.rescan({ rootId: 1 })).rejects.toThrow('That folder is gone.');
    expect(invoked).toEqual([
      ['studio:library.folders', {}],
      ['studio:library.rescan', { rootId: 1 }],
    ]);
  });

  it('delivers events by name until unsubscribed', () => {
    const studio = exposed.studio as Bridge;
    const got: unknown[] = [];
    const off = studio.on('queue.batch', (p) => got.push(p));
    onEvent!({}, { type: 'queue.batch', payload: { id: 1 } });
    onEvent!({}, { type: 'queue.item', payload: { id: 2 } });
    off();
    onEvent!({}, { type: 'queue.batch', payload: { id: 3 } });
    expect(got).toEqual([{ id: 1 }]);
  });
});
