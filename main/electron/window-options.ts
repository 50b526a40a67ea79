import type { BrowserWindowConstructorOptions } from 'electron';
import { methodNames } from '../../shared/api/contract.js';

/** The scheme the UI and its media are served from; the renderer never sees file:// URLs. */
export const appScheme = 'studio';
const appHost = 'app';
export const appEntryUrl = `${appScheme}://${appHost}/index.html`;

/**
 * Whether a URL is the app's own (studio://app/...). Compared by scheme and host: Node's URL
 * gives custom schemes the origin "null", so origins cannot be compared.
 */
export function isAppUrl(url: string | URL): boolean {
  try {
    const parsed = typeof url === 'string' ? new URL(url) : url;
    return parsed.protocol === `${appScheme}:` && parsed.host === appHost;
  } catch {
    return false;
  }
}

/** How the preload learns the request names without importing the contract (sandboxed preloads cannot). */
export const methodsArgPrefix = '--studio-methods=';

export function mainWindowOptions(preloadPath: string, dark: boolean): BrowserWindowConstructorOptions {
  return {
    width: 1440,
    height: 900,
    minWidth: 960,
    minHeight: 600,
    title: 'CTMSR Studio',
    show: false,
    backgroundColor: dark ? '#1e1e1e' : '#f3f3f3',
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
      additionalArguments: [methodsArgPrefix + methodNames.join(',')],
    },
  };
}
