import type { BrowserWindow, Dialog, OpenDialogOptions, Shell } from 'electron';
import type { StudioHandlers } from '../../shared/api/contract.js';
import type { Studio } from '../services/studio.js';
import type { PathGrants } from '../host/path-grants.js';

export interface SystemDeps {
  dialog: Pick<Dialog, 'showOpenDialog'>;
  shell: Pick<Shell, 'showItemInFolder' | 'openPath'>;
  window: () => BrowserWindow | null;
  grants: PathGrants;
  studio: Pick<Studio, 'outputOf'>;
  version: string;
  dataDir: string;
}

/** The system requests as Electron answers them: native pickers that grant what the user picks. */
export function electronSystem(deps: SystemDeps): StudioHandlers['system'] {
  async function pick(options: OpenDialogOptions): Promise<string | null> {
    const win = deps.window();
    const result = win ? await deps.dialog.showOpenDialog(win, options) : await deps.dialog.showOpenDialog(options);
    const chosen = result.canceled ? undefined : result.filePaths[0];
    if (chosen === undefined) return null;
    deps.grants.grant(chosen);
    return chosen;
  }

  return {
    info: () => ({ transport: 'electron', nativeDialogs: true, platform: process.platform, version: deps.version, dataDir: deps.dataDir }),
    pickFolder: ({ title }) => pick({ title, properties: ['openDirectory', 'createDirectory'] }),
    pickFile: ({ title, extensions }) =>
      pick({ title, properties: ['openFile'], filters: extensions ? [{ name: extensions.join(', '), extensions }] : undefined }),
    revealOutput: async ({ batchId, itemId }) => {
      const target = await deps.studio.outputOf(batchId, itemId);
      if (itemId === undefined) {
        const problem = await deps.shell.openPath(target);
        return { path: target, revealed: problem === '' };
      }
      deps.shell.showItemInFolder(target);
      return { path: target, revealed: true };
    },
  };
}
