import { describe, expect, it } from 'vitest';
import type { BrowserWindow, Dialog, OpenDialogOptions, Shell } from 'electron';
import { PathGrants } from '../../host/path-grants.js';
import { electronSystem } from '../system.js';

function setup(answer: { canceled: boolean; filePaths: string[] }) {
  const asked: OpenDialogOptions[] = [];
  const shown: string[] = [];
  const grants = new PathGrants(false);
  const system = electronSystem({
    dialog: {
      showOpenDialog: async (...args: unknown[]) => {
        asked.push(args[args.length - 1] as OpenDialogOptions);
        return answer;
      },
    } as unknown as Pick<Dialog, 'showOpenDialog'>,
    shell: {
      openPath: async (p: string) => {
        shown.push(`open ${p}`);
        return '';
      },
      showItemInFolder: (p: string) => shown.push(`show ${p}`),
    } as unknown as Pick<Shell, 'openPath' | 'showItemInFolder'>,
    window: () => null as BrowserWindow | null,
    grants,
    studio: { outputOf: (batchId, itemId) => (itemId === undefined ? `/out/${batchId}` : `/out/${batchId}/${itemId}.png`) },
    version: '1.2.3',
    dataDir: '/data',
  });
  return { system, asked, shown, grants };
}

describe('Electron system requests', () => {
  it('grants what the user picks in a native dialog', async () => {
    const { system, asked, grants } = setup({ canceled: false, filePaths: ['/home/me/Photos'] });
    expect(await system.pickFolder({ title: 'Add' })).toBe('/home/me/Photos');
    expect(asked[0].properties).toContain('openDirectory');
    expect(grants.allows('/home/me/Photos/a.jpg')).toBe(true);
  });

  it('filters files by extension and grants nothing when cancelled', async () => {
    const { system, asked, grants } = setup({ canceled: true, filePaths: [] });
    expect(await system.pickFile({ extensions: ['onnx'] })).toBeNull();
    expect(asked[0].filters).toEqual([{ name: 'onnx', extensions: ['onnx'] }]);
    expect(grants.allows('/')).toBe(false);
  });

  it('reveals output folders and files in the file manager', async () => {
    const { system, shown } = setup({ canceled: true, filePaths: [] });
    expect(await system.revealOutput({ batchId: 4 })).toEqual({ path: '/out/4', revealed: true });
    expect(await system.revealOutput({ batchId: 4, itemId: 9 })).toEqual({ path: '/out/4/9.png', revealed: true });
    expect(shown).toEqual(['open /out/4', 'show /out/4/9.png']);
    expect(await system.info({})).toMatchObject({ transport: 'electron', nativeDialogs: true, version: '1.2.3' });
  });
});
