/**
 * The browser transport: the same StudioApi over HTTP POSTs, events over one EventSource, media
 * by URL. Used when the UI is served by `npm run serve` (no Electron preload present).
 */
import { createApi, unwrap, type StudioBridge } from '../../shared/api/client';
import type { EventName, StudioEvents } from '../../shared/api/events';
import type { WireResult } from '../../shared/api/types';

export interface HttpBridgeOptions {
  /** Origin plus path of the server, ending in '/'. */
  base: string;
  token: string;
  fetch?: typeof fetch;
  openEvents?: (url: string) => EventSource;
}

export function createHttpBridge(options: HttpBridgeOptions): StudioBridge {
  const doFetch = options.fetch ?? ((input, init) => fetch(input, init));
  const openEvents = options.openEvents ?? ((url) => new EventSource(url));
  const tokenQuery = `token=${encodeURIComponent(options.token)}`;
  let events: EventSource | null = null;

  const api = createApi(async (method, input) => {
    const response = await doFetch(`${options.base}api/${method}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Studio-Token': options.token },
      body: JSON.stringify(input),
    });
    if (!response.ok && response.headers.get('content-type')?.includes('application/json') !== true) {
      throw new Error(`CTMSR Studio's server answered ${response.status} ${response.statusText}. Restart it and reload the page.`);
    }
    return unwrap((await response.json()) as WireResult<unknown>);
  });

  return {
    ...api,
    on<K extends EventName>(name: K, handler: (payload: StudioEvents[K]) => void) {
      events ??= openEvents(`${options.base}api/events?${tokenQuery}`);
      const listener = (e: MessageEvent<string>) => handler(JSON.parse(e.data) as StudioEvents[K]);
      events.addEventListener(name, listener);
      return () => events?.removeEventListener(name, listener);
    },
    mediaUrl: (path) => `${options.base}media/${path}${path.includes('?') ? '&' : '?'}${tokenQuery}`,
  };
}

const tokenKey = 'ctmsr-studio-token';

/**
 * The token arrives once in the address the server printed (?token=...). It is kept for the tab's
 * session and removed from the address bar, so it does not end up in bookmarks or screenshots.
 */
export function takeToken(location: Location, history: History, storage: Storage): string | null {
  const url = new URL(location.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl) {
    storage.setItem(tokenKey, fromUrl);
    url.searchParams.delete('token');
    history.replaceState(history.state, '', url.pathname + url.search + url.hash);
    return fromUrl;
  }
  return storage.getItem(tokenKey);
}
