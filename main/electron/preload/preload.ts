/**
 * Runs in the sandboxed preload world: it can require only `electron`, so it builds the API from
 * the request names main passes in additionalArguments, with no other imports. What it exposes is
 * exactly the StudioBridge of shared/api: requests return the result or reject with the user-facing
 * message; events arrive through `on`. The package.json beside it makes tsc emit CommonJS, the
 * only form Electron runs sandboxed preloads in.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';

type WireResult = { ok: true; result: unknown } | { ok: false; error: { message: string } };
type StudioEvent = { type: string; payload: unknown };

const methodsArg = process.argv.find((a) => a.startsWith('--studio-methods='));
const methods = methodsArg ? methodsArg.slice('--studio-methods='.length).split(',') : [];

const api: Record<string, unknown> = {};
for (const method of methods) {
  const [service, name] = method.split('.');
  const group = (api[service] ??= {}) as Record<string, unknown>;
  group[name] = async (payload?: unknown) => {
    const reply = (await ipcRenderer.invoke(`studio:${method}`, payload ?? {})) as WireResult;
    if (reply.ok) return reply.result;
    // Only an Error's message survives the context bridge, and the message is what the UI shows.
    throw new Error(reply.error.message);
  };
}

const listeners = new Set<(event: StudioEvent) => void>();
ipcRenderer.on('studio:event', (_event: IpcRendererEvent, event: StudioEvent) => listeners.forEach((l) => l(event)));

api.on = (name: string, handler: (payload: unknown) => void) => {
  const listener = (event: StudioEvent) => {
    if (event.type === name) handler(event.payload);
  };
  listeners.add(listener);
  return () => listeners.delete(listener);
};
api.mediaUrl = (mediaPath: string) => `studio://app/media/${mediaPath}`;

contextBridge.exposeInMainWorld('studio', api);
