import type { StudioHandlers } from '../../shared/api/contract.js';
import { StudioError } from '../../shared/errors.js';
import type { Studio } from '../services/studio.js';

/**
 * The system requests as the browser transport answers them. A browser tab cannot show native
 * pickers or a file manager of the server's machine, so the UI asks for typed paths and shows
 * output locations as text.
 */
export function httpSystem(studio: Pick<Studio, 'outputOf' | 'dataDir'>, version: string): StudioHandlers['system'] {
  const noDialogs = () => {
    throw new StudioError('not-available', 'File dialogs are only available in the desktop app. Type the path instead.');
  };
  return {
    info: () => ({ transport: 'http', nativeDialogs: false, platform: process.platform, version, dataDir: studio.dataDir }),
    pickFolder: noDialogs,
    pickFile: noDialogs,
    revealOutput: ({ batchId, itemId }) => ({ path: studio.outputOf(batchId, itemId), revealed: false }),
  };
}
