import type { MenuItemConstructorOptions } from 'electron';

export interface MenuActions {
  addFolder(): void;
  importModel(): void;
  showAbout(): void;
}

/**
 * The application menu. Standard roles give the platform's own shortcuts and wording; the File
 * actions run in main (native dialog, then the services), and the window follows through events.
 */
export function menuTemplate(platform: NodeJS.Platform, actions: MenuActions, devTools: boolean): MenuItemConstructorOptions[] {
  const mac = platform === 'darwin';
  const file: MenuItemConstructorOptions = {
    label: '&File',
    submenu: [
      { label: 'Add Folder to Library…', accelerator: 'CmdOrCtrl+O', click: () => actions.addFolder() },
      { label: 'Import Model…', accelerator: 'CmdOrCtrl+Shift+M', click: () => actions.importModel() },
      { type: 'separator' },
      mac ? { role: 'close' } : { role: 'quit' },
    ],
  };
  const view: MenuItemConstructorOptions = {
    label: '&View',
    submenu: [
      { role: 'resetZoom' },
      { role: 'zoomIn' },
      { role: 'zoomOut' },
      { type: 'separator' },
      { role: 'togglefullscreen' },
      ...(devTools ? ([{ type: 'separator' }, { role: 'toggleDevTools' }] as MenuItemConstructorOptions[]) : []),
    ],
  };
  const help: MenuItemConstructorOptions = {
    role: 'help',
    submenu: [{ label: 'About CTMSR Studio', click: () => actions.showAbout() }],
  };
  return [...(mac ? [{ role: 'appMenu' } as MenuItemConstructorOptions] : []), file, { role: 'editMenu' }, view, { role: 'windowMenu' }, help];
}
