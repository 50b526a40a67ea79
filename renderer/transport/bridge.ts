import type { StudioBridge } from '../../shared/api/client';
import { createHttpBridge, takeToken } from './http-bridge';

declare global {
  interface Window {
    /** Set by the Electron preload; absent in a browser. */
    studio?: StudioBridge;
  }
}

/** Electron's preload bridge when present, else the HTTP transport of the page's own server. */
export function connect(): StudioBridge | null {
  if (window.studio) return window.studio;
  const token = takeToken(window.location, window.history, window.sessionStorage);
  if (!token) return null;
  return createHttpBridge({ base: `${window.location.origin}/`, token });
}
