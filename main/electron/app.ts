/**
 * The desktop app's entry: one instance, one window showing the renderer from studio://app, the
 * services behind IPC. Everything that can be checked without Electron lives in the modules it
 * wires together (window options, lockdown, IPC registration, protocol, dialogs, menu).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, BrowserWindow, dialog, ipcMain, Menu, nativeTheme, protocol, shell } from 'electron';
import { createDispatch } from '../transport/dispatch.js';
import { openStudio, type Studio } from '../services/studio.js';
import { eventChannel, registerIpc } from './ipc.js';
import { lockDown } from './lockdown.js';
import { menuTemplate } from './menu.js';
import { PathGrants } from '../host/path-grants.js';
import { createProtocolHandler } from './protocol.js';
import { electronSystem } from './system.js';
import { appEntryUrl, appScheme, mainWindowOptions } from './window-options.js';

const here = path.dirname(fileURLToPath(import.meta.url));

protocol.registerSchemesAsPrivileged([{ scheme: appScheme, privileges: { standard: true, secure: true, supportFetchAPI: true } }]);

let window: BrowserWindow | null = null;
let studio: Studio | null = null;

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => {
    if (window?.isMinimized()) window.restore();
    window?.focus();
  });
  app.whenReady().then(start, fail);
  app.on('window-all-closed', () => app.quit());
  app.on('will-quit', (event) => {
    if (!studio) return;
    event.preventDefault();
    const closing = studio;
    studio = null;
    void closing.close().finally(() => app.quit());
  });
}

async function start(): Promise<void> {
  const resources = app.isPackaged ? process.resourcesPath : app.getAppPath();
  studio = await openStudio({ dataDir: app.getPath('userData'), bundledModelDirs: [path.join(resources, 'models')], trainerRoot: resources });
  const grants = new PathGrants();
  studio.chosenPaths().forEach((p) => grants.grant(p));

  const system = electronSystem({ dialog, shell, window: () => window, grants, studio, version: app.getVersion(), dataDir: studio.dataDir });
  const dispatch = createDispatch({ ...studio.handlers, system }, { checkPaths: (paths) => grants.check(paths) });
  registerIpc(ipcMain, dispatch);
  protocol.handle(appScheme, createProtocolHandler(path.join(app.getAppPath(), 'dist-renderer'), studio.media));

  /** Menu commands: a native picker, then the same request the window would send. */
  const pickThen = (pick: () => Promise<string | null> | string | null, method: 'library.addFolder' | 'models.import') => async () => {
    const chosen = await pick();
    if (!chosen) return;
    const reply = await dispatch(method, { path: chosen });
    if (!reply.ok) dialog.showErrorBox('CTMSR Studio', reply.error.message);
  };
  Menu.setApplicationMenu(
    Menu.buildFromTemplate(
      menuTemplate(
        process.platform,
        {
          addFolder: () => void pickThen(() => system.pickFolder({ title: 'Add Folder to Library' }), 'library.addFolder')(),
          importModel: () => void pickThen(() => system.pickFile({ title: 'Import Model', extensions: ['onnx'] }), 'models.import')(),
          showAbout: () => void dialog.showMessageBox({ title: 'CTMSR Studio', message: `CTMSR Studio ${app.getVersion()}`, detail: 'One-step generative photo super-resolution.' }),
        },
        !app.isPackaged,
      ),
    ),
  );

  window = new BrowserWindow(mainWindowOptions(path.join(here, 'preload', 'preload.js'), nativeTheme.shouldUseDarkColors));
  lockDown(window.webContents, window.webContents.session);
  const unsubscribe = studio.events.subscribe((event) => window?.webContents.send(eventChannel, event));
  window.on('closed', () => {
    unsubscribe();
    window = null;
  });
  window.once('ready-to-show', () => window?.show());
  await window.loadURL(appEntryUrl);
}

function fail(e: unknown): void {
  dialog.showErrorBox('CTMSR Studio could not start', e instanceof Error ? e.message : String(e));
  app.exit(1);
}
