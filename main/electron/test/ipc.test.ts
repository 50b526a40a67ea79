import { describe, expect, it } from 'vitest';
import { methodNames } from '../../../shared/api/contract.js';
import { createDispatch } from '../../transport/dispatch.js';
import type { StudioHandlers } from '../../../shared/api/contract.js';
import { registerIpc, requestChannelPrefix, type IpcRegistrar } from '../ipc.js';

type Handler = (event: unknown, payload: unknown) => Promise<unknown>;

function fakeIpc() {
  const handlers = new Map<string, Handler>();
  const ipc = {
    handle: (channel: string, handler: Handler) => {
      if (handlers.has(channel)) throw new Error(`second handler for ${channel}`);
      handlers.set(channel, handler);
    },
    removeHandler: (channel: string) => handlers.delete(channel),
  } as unknown as IpcRegistrar;
  return { ipc, handlers };
}

const appFrame = { url: 'studio://app/index.html', parent: null };
const handlers = { settings: { get: () => ({ theme: 'dark' }), update: (patch: unknown) => patch } } as unknown as StudioHandlers;

describe('IPC registration', () => {
  it('registers one handler per request and removes them all again', () => {
    const { ipc, handlers: registered } = fakeIpc();
    const remove = registerIpc(ipc, createDispatch(handlers));
    expect([...registered.keys()].sort()).toEqual(methodNames.map((n) => requestChannelPrefix + n).sort());
    remove();
    expect(registered.size).toBe(0);
  });

  it('answers the app window through the shared dispatch, validation included', async () => {
    const { ipc, handlers: registered } = fakeIpc();
    registerIpc(ipc, createDispatch(handlers));
    expect(await registered.get('studio:settings.get')!({ senderFrame: appFrame }, {})).toEqual({ ok: true, result: { theme: 'dark' } });
    const refused = (await registered.get('studio:settings.update')!({ senderFrame: appFrame }, { theme: 'purple' })) as { ok: boolean; error: { code: string } };
    expect(refused.ok).toBe(false);
    expect(refused.error.code).toBe('invalid-settings');
    const extra = (await registered.get('studio:settings.update')!({ senderFrame: appFrame }, { nodeIntegration: true })) as { ok: boolean };
    expect(extra.ok).toBe(false);
  });

  it('refuses senders that are not the app page itself', async () => {
    const { ipc, handlers: registered } = fakeIpc();
    registerIpc(ipc, createDispatch(handlers));
    const get = registered.get('studio:settings.get')!;
    for (const senderFrame of [null, { url: 'https://evil.example/', parent: null }, { url: 'studio://app/index.html', parent: appFrame }]) {
      expect(await get({ senderFrame }, {})).toMatchObject({ ok: false, error: { code: 'permission-denied' } });
    }
  });
});
