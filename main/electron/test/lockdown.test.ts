import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { lockDown, type LockableContents, type LockableSession } from '../lockdown.js';
import { isAppUrl } from '../window-options.js';

/** Stand-ins for WebContents and Session: Electron's binary cannot run here, its logic can. */
function fakes() {
  const contents = new EventEmitter() as EventEmitter & { openHandler?: (d: { url: string }) => { action: string } };
  const lockable = Object.assign(contents, {
    setWindowOpenHandler: (handler: (d: { url: string }) => { action: string }) => (contents.openHandler = handler),
  }) as unknown as LockableContents;
  const session: { request?: (c: unknown, p: string, cb: (ok: boolean) => void) => void; check?: () => boolean } = {};
  const lockableSession = {
    setPermissionRequestHandler: (h: typeof session.request) => (session.request = h),
    setPermissionCheckHandler: (h: typeof session.check) => (session.check = h),
  } as unknown as LockableSession;
  lockDown(lockable, lockableSession);
  return { contents, session };
}

function fire(contents: EventEmitter, event: string, url?: string): boolean {
  let prevented = false;
  contents.emit(event, { preventDefault: () => (prevented = true) }, url);
  return prevented;
}

describe('window lockdown', () => {
  it('knows the app origin', () => {
    expect(isAppUrl('studio://app/index.html')).toBe(true);
    expect(isAppUrl('studio://app/queue?x=1')).toBe(true);
    expect(isAppUrl('studio://media/x')).toBe(false);
    expect(isAppUrl('https://app/index.html')).toBe(false);
    expect(isAppUrl('file:///etc/passwd')).toBe(false);
    expect(isAppUrl('not a url')).toBe(false);
  });

  it('blocks navigation and redirects away from the app', () => {
    const { contents } = fakes();
    expect(fire(contents, 'will-navigate', 'https://example.com/')).toBe(true);
    expect(fire(contents, 'will-navigate', 'file:///home/me/')).toBe(true);
    expect(fire(contents, 'will-redirect', 'http://127.0.0.1:1/')).toBe(true);
    expect(fire(contents, 'will-navigate', 'studio://app/index.html')).toBe(false);
  });

  it('denies new windows, webviews and every permission', () => {
    const { contents, session } = fakes();
    expect(contents.openHandler!({ url: 'https://example.com' })).toEqual({ action: 'deny' });
    expect(fire(contents, 'will-attach-webview')).toBe(true);
    let granted: boolean | undefined;
    session.request!(null, 'media', (ok) => (granted = ok));
    expect(granted).toBe(false);
    expect(session.check!()).toBe(false);
  });
});
