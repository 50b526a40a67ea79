import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { I18nextProvider } from 'react-i18next';
import { App } from './App';
import { StudioProvider } from '../state/studio-context';
import { SystemInfoProvider } from '../state/system-info';
import { i18n, initI18n } from '../i18n/i18n';
import { SettingsProvider } from '../state/settings-context';
import { connect } from '../transport/bridge';
import { NoticeProvider } from '../ui/notices';
import '../styles/app.css';

async function start(root: HTMLElement) {
  const bridge = connect();
  if (!bridge) {
    root.textContent = 'Open CTMSR Studio with the address its server printed (it carries the access token).';
    return;
  }
  try {
    const [info, settings] = await Promise.all([bridge.system.info(), bridge.settings.get()]);
    await initI18n(settings.language);
    createRoot(root).render(
      <StrictMode>
        <I18nextProvider i18n={i18n}>
          <StudioProvider bridge={bridge}>
            <SystemInfoProvider info={info}>
              <SettingsProvider initial={settings}>
                <NoticeProvider>
                  <App />
                </NoticeProvider>
              </SettingsProvider>
            </SystemInfoProvider>
          </StudioProvider>
        </I18nextProvider>
      </StrictMode>,
    );
  } catch (e) {
    root.textContent = e instanceof Error ? e.message : String(e);
    root.setAttribute('role', 'alert');
  }
}

void start(document.getElementById('root')!);
