import { createContext, useContext, type ReactNode } from 'react';
import type { SystemInfo } from '../../shared/api/types';

const SystemInfoContext = createContext<SystemInfo | null>(null);

export function SystemInfoProvider({ info, children }: { info: SystemInfo; children: ReactNode }) {
  return <SystemInfoContext.Provider value={info}>{children}</SystemInfoContext.Provider>;
}

export function useSystemInfo(): SystemInfo | null {
  return useContext(SystemInfoContext);
}
