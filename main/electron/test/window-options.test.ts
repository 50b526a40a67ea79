import { describe, expect, it } from 'vitest';
import { methodNames } from '../../../shared/api/contract.js';
import { mainWindowOptions, methodsArgPrefix } from '../window-options.js';

describe('the main window', () => {
  const options = mainWindowOptions('/app/preload.js', false);
  const web = options.webPreferences!;

  it('isolates the page from Node and Electron', () => {
    expect(web).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      navigateOnDragDrop: false,
    });
    expect(web.preload).toBe('/app/preload.js');
  });

  it('hands the preload every request name of the contract', () => {
    const arg = web.additionalArguments!.find((a) => a.startsWith(methodsArgPrefix))!;
    expect(arg.slice(methodsArgPrefix.length).split(',')).toEqual([...methodNames]);
  });

  it('opens hidden (shown when ready) with the theme colour behind it', () => {
    expect(options.show).toBe(false);
    expect(mainWindowOptions('/p', true).backgroundColor).not.toBe(options.backgroundColor);
  });
});
