import { PathGrants, refuseSystemFolders } from './path-grants.js';

/**
 * The desktop app's path grants for a host without native pickers (`serve`): there the user
 * chooses a folder by typing it (Add Folder, an output folder, a model file), so a request that
 * chooses a path grants it, unless it is a system folder. Every other path a request names must
 * lie in a folder chosen so, in this session or an earlier one (`chosenBefore`: library folders,
 * batch outputs, the default output folder in Settings).
 */
export function typedPathGrants(chosenBefore: string[]): (paths: string[], chosen: string[]) => void {
  const grants = new PathGrants();
  chosenBefore.forEach((p) => grants.grant(p));
  return (paths, chosen) => {
    refuseSystemFolders([...chosen, ...paths]);
    chosen.forEach((p) => grants.grant(p));
    grants.check(paths);
  };
}
