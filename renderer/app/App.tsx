import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { BatchItem, ImageSummary } from '../../shared/api/types';
import { LibraryView } from '../library/LibraryView';
import { ModelsView } from '../models/ModelsView';
import { QueueView } from '../queue/QueueView';
import { SettingsView } from '../settings/SettingsView';
import { TrainingView } from '../training/TrainingView';
import { Viewer, type ViewerSource } from '../viewer/Viewer';
import { StatusBar } from './StatusBar';

const views = ['library', 'queue', 'models', 'training', 'settings'] as const;
type ViewName = (typeof views)[number];
const icons: Record<ViewName, string> = { library: '▦', queue: '☰', models: '◈', training: '◎', settings: '⚙' };

/** The window: an activity bar to switch screens, the screen, a status bar, and the viewer on top. */
export function App() {
  const { t } = useTranslation();
  const [view, setView] = useState<ViewName>('library');
  const [viewer, setViewer] = useState<ViewerSource | null>(null);
  const [startedBatch, setStartedBatch] = useState<number | undefined>();

  // Closing the viewer gives focus back to what opened it (a grid cell, a Compare button).
  const opener = useRef<HTMLElement | null>(null);
  const openViewer = (source: ViewerSource) => {
    opener.current = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    setViewer(source);
  };
  useEffect(() => {
    if (viewer === null && opener.current?.isConnected) opener.current.focus();
    if (viewer === null) opener.current = null;
  }, [viewer]);
  const openImage = (image: ImageSummary) => openViewer({ kind: 'image', image });
  const compareItem = (item: BatchItem) => openViewer({ kind: 'item', item });

  return (
    <div className="app">
      <nav className="activity-bar" aria-label={t('nav.label')}>
        {views.map((v) => (
          <button
            key={v}
            type="button"
            className="activity"
            aria-current={view === v ? 'page' : undefined}
            onClick={() => {
              setViewer(null);
              setView(v);
            }}
          >
            <span className="activity-icon" aria-hidden="true">
              {icons[v]}
            </span>
            <span className="activity-label">{t(`nav.${v}`)}</span>
          </button>
        ))}
      </nav>
      <main className="workbench" aria-label={t(`nav.${view}`)} hidden={viewer !== null}>
        {/* kept mounted, hidden, so selection, folder and scroll survive a visit to another screen */}
        <LibraryView
          hidden={view !== 'library'}
          onOpenImage={openImage}
          onBatchStarted={(batch) => {
            setStartedBatch(batch.id);
            setView('queue');
          }}
        />
        {view === 'queue' && <QueueView onCompare={compareItem} openFirst={startedBatch} />}
        {view === 'models' && <ModelsView />}
        {view === 'training' && <TrainingView />}
        {view === 'settings' && <SettingsView />}
      </main>
      {viewer && <Viewer source={viewer} onClose={() => setViewer(null)} />}
      <StatusBar onOpenQueue={() => setView('queue')} onOpenTraining={() => setView('training')} />
    </div>
  );
}
