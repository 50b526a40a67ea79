import type { Event, HandlerDetails, Session, WebContents } from 'electron';
import { isAppUrl } from './window-options.js';

/** The parts of WebContents the lockdown touches, so tests can hand in a stand-in. */
export type LockableContents = Pick<WebContents, 'on' | 'setWindowOpenHandler'>;
export type LockableSession = Pick<Session, 'setPermissionRequestHandler' | 'setPermissionCheckHandler'>;

/**
 * The window shows the app and nothing else: no navigation away, no pop-ups, no <webview>, no
 * permission prompts (camera, notifications…). Links to the web are the OS browser's job, and the
 * app has none.
 */
export function lockDown(contents: LockableContents, session: LockableSession): void {
  contents.on('will-navigate', (event: Event, url: string) => {
    if (!isAppUrl(url)) event.preventDefault();
  });
  contents.on('will-redirect', (event: Event, url: string) => {
    if (!isAppUrl(url)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event: Event) => event.preventDefault());
  contents.setWindowOpenHandler((_details: HandlerDetails) => ({ action: 'deny' }));
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
}
