import type { MenuItemConstructorOptions } from 'electron';
import { describe, expect, it } from 'vitest';
import { menuTemplate } from '../menu.js';

const items = (menu: MenuItemConstructorOptions[]): MenuItemConstructorOptions[] =>
  menu.flatMap((m) => [m, ...(Array.isArray(m.submenu) ? items(m.submenu) : [])]);

describe('the application menu', () => {
  it('offers the File commands with shortcuts and runs them', () => {
    const ran: string[] = [];
    const template = menuTemplate('linux', { addFolder: () => ran.push('add'), importModel: () => ran.push('import'), showAbout: () => ran.push('about') }, false);
    const all = items(template);
    const add = all.find((i) => i.label === 'Add Folder to Library…')!;
    expect(add.accelerator).toBe('CmdOrCtrl+O');
    (add.click as () => void)();
    (all.find((i) => i.label === 'Import Model…')!.click as () => void)();
    expect(ran).toEqual(['add', 'import']);
    expect(all.some((i) => i.role === 'quit')).toBe(true);
    expect(all.some((i) => i.role === 'toggleDevTools')).toBe(false);
  });

  it('follows macOS conventions and shows developer tools only in development', () => {
    const template = menuTemplate('darwin', { addFolder() {}, importModel() {}, showAbout() {} }, true);
    expect(template[0].role).toBe('appMenu');
    const all = items(template);
    expect(all.some((i) => i.role === 'close')).toBe(true);
    expect(all.some((i) => i.role === 'toggleDevTools')).toBe(true);
  });
});
