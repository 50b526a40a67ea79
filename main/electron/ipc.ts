import type { IpcMain, IpcMainInvokeEvent } from 'electron';
import { methodNames } from '../../shared/api/contract.js';
import type { WireResult } from '../../shared/api/types.js';
import type { Dispatch } from '../transport/dispatch.js';
import { isAppUrl } from './window-options.js';

export const requestChannelPrefix = 'studio:';
export const eventChannel = 'studio:event';

export type IpcRegistrar = Pick<IpcMain, 'handle' | 'removeHandler'>;

/**
 * One ipcMain handler per request of the contract. Each checks that the request comes from the
 * app's own page (not a frame or page that got in somehow) and goes through the shared dispatch,
 * which validates the payload. Returns a function that removes the handlers.
 */
export function registerIpc(ipc: IpcRegistrar, dispatch: Dispatch): () => void {
  for (const name of methodNames) {
    ipc.handle(requestChannelPrefix + name, (event: IpcMainInvokeEvent, payload: unknown): Promise<WireResult<unknown>> => {
      if (!isTrustedSender(event)) {
        return Promise.resolve({ ok: false, error: { code: 'permission-denied', message: 'Requests are only accepted from the CTMSR Studio window.' } });
      }
      return dispatch(name, payload);
    });
  }
  return () => methodNames.forEach((name) => ipc.removeHandler(requestChannelPrefix + name));
}

function isTrustedSender(event: Pick<IpcMainInvokeEvent, 'senderFrame'>): boolean {
  const frame = event.senderFrame;
  return frame !== null && frame.parent === null && isAppUrl(frame.url);
}
