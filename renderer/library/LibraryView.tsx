import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { imageSortKeys, type ImageSortKey } from '../../shared/api/requests';
import type { BatchSummary, FolderNode, ImageSummary, ScanProgress } from '../../shared/api/types';
import { imageFormats } from '../../shared/enhance/image-formats';
import { useLoad, useStudio, useStudioEvent } from '../state/studio-context';
import { BatchPanel } from '../batch/BatchPanel';
import { Field } from '../ui/fields';
import { useNotify } from '../ui/notices';
import { useThrottled } from '../ui/use-throttled';
import { PathField } from '../ui/PathField';
import { FolderTree, type FolderKey } from './FolderTree';
import { ImageDetailsPanel } from './ImageDetailsPanel';
import { emptySelection, selectAll, type Selection } from './selection';
import { ThumbnailGrid } from './ThumbnailGrid';
import { WatchSettings } from './WatchSettings';
import { useImagePages } from './use-image-pages';
import { errorText } from '../i18n/error-text';

/** Events during a scan of thousands of files arrive fast; the grid refreshes at most this often. */
const refreshEveryMs = 800;

export function LibraryView({ hidden, onOpenImage, onBatchStarted }: { hidden: boolean; onOpenImage: (image: ImageSummary) => void; onBatchStarted: (batch: BatchSummary) => void }) {
  const { t } = useTranslation();
  const studio = useStudio();
  const notify = useNotify();
  const folders = useLoad(() => studio.library.folders(), []);
  const [scans, setScans] = useState<ReadonlyMap<number, ScanProgress>>(new Map());
  const [folder, setFolder] = useState<FolderKey | null>(null);
  const [search, setSearch] = useState('');
  const [debouncedSearch, setDebouncedSearch] = useState('');
  const [sort, setSort] = useState<ImageSortKey>('name');
  const [descending, setDescending] = useState(false);
  const [format, setFormat] = useState('');
  const [cellSide, setCellSide] = useState(144);
  const [generation, setGeneration] = useState(0);
  const [selection, setSelection] = useState<Selection>(emptySelection);
  const [focusIndex, setFocusIndex] = useState(0);
  const [batchOpen, setBatchOpen] = useState(false);
  const [newFolder, setNewFolder] = useState('');

  useEffect(() => {
    const timer = setTimeout(() => setDebouncedSearch(search.trim()), 250);
    return () => clearTimeout(timer);
  }, [search]);

  const filter = useMemo(
    () => ({ ...(folder ? { rootId: folder.rootId, dir: folder.dir } : { dir: '' }), search: debouncedSearch, formats: format ? [format] : [], sort, descending }),
    [folder, debouncedSearch, format, sort, descending],
  );
  const { pages, total } = useImagePages(studio, filter, generation);
  useEffect(() => setFocusIndex(0), [pages]);

  const refresh = useThrottled(() => {
    folders.reload();
    setGeneration((g) => g + 1);
  }, refreshEveryMs);
  useStudioEvent('library.changed', refresh);
  useStudioEvent('library.scan', (progress) => {
    setScans((m) => {
      const next = new Map(m);
      if (progress.done) next.delete(progress.rootId);
      else next.set(progress.rootId, progress);
      return next;
    });
    refresh();
  });

  async function addFolder(path: string) {
    if (!path.trim()) return;
    try {
      await studio.library.addFolder({ path: path.trim() });
      notify.clear('add-folder');
      setNewFolder('');
      folders.reload();
    } catch (e) {
      notify.error(e, 'add-folder');
    }
  }

  async function removeSelectedRoot() {
    if (!folder || folder.dir !== '') return;
    try {
      await studio.library.removeFolder({ rootId: folder.rootId });
      openFolder(null);
      folders.reload();
      setGeneration((g) => g + 1);
    } catch (e) {
      notify.error(e);
    }
  }

  /** Another folder starts with nothing selected: a selection of images out of sight would be enhanced unseen. */
  function openFolder(key: FolderKey | null) {
    if (key?.rootId !== folder?.rootId || key?.dir !== folder?.dir) setSelection(emptySelection);
    setFolder(key);
  }

  async function selectEverything() {
    const ids = await pages.idsBetween(0, total - 1);
    setSelection(selectAll(ids));
  }

  const focused = pages.get(focusIndex);
  const selectedCount = selection.ids.size;
  const folderNode = folder ? findNode(folders.data ?? [], folder) : undefined;
  const batchInputs = selectedCount > 0 ? { imageIds: [...selection.ids] } : folderNode ? { paths: [folderNode.path] } : null;
  const batchDescription = selectedCount > 0 ? t('library.nImages', { count: selectedCount }) : folderNode ? folderNode.path : '';
  // a selection's batch is named by main ("<folder> (3 images)") and shown in whatever language the UI has then
  const batchName = selectedCount > 0 ? undefined : batchDescription;

  return (
    <div className="library" hidden={hidden}>
      <aside className="sidebar" aria-label={t('library.folders')}>
        <h2 className="sidebar-title">{t('library.folders')}</h2>
        <form
          className="add-folder"
          onSubmit={(e) => {
            e.preventDefault();
            void addFolder(newFolder);
          }}
        >
          <PathField kind="folder" label={t('library.addFolderLabel')} value={newFolder} onChange={setNewFolder} onPicked={(p) => void addFolder(p)} placeholder="/home/me/Pictures" />
          <button type="submit" disabled={!newFolder.trim()}>
            {t('library.addFolder')}
          </button>
        </form>
        {[...scans.values()].map((s) => (
          <p key={s.rootId} className="scan-status" role="status">
            {t('library.scanning', { count: s.seen })}
          </p>
        ))}
        {folders.error && <p role="alert">{errorText(folders.error)}</p>}
        <FolderTree roots={folders.data ?? []} selected={folder} onSelect={openFolder} />
        {folderNode && folder?.dir === '' && <WatchSettings root={folderNode} />}
        {folder && folder.dir === '' && (
          <div className="sidebar-actions">
            <button type="button" onClick={() => void studio.library.rescan({ rootId: folder.rootId }).catch(notify.error)}>
              {t('library.rescan')}
            </button>
            <button type="button" onClick={() => void removeSelectedRoot()}>
              {t('library.removeFolder')}
            </button>
          </div>
        )}
      </aside>

      <section className="library-main" aria-label={t('library.images')}>
        <div className="toolbar" role="toolbar" aria-label={t('library.toolbar')}>
          <Field label={t('library.search')}>{(id) => <input id={id} type="search" value={search} onChange={(e) => setSearch(e.target.value)} />}</Field>
          <Field label={t('library.sort')}>
            {(id) => (
              <select id={id} value={sort} onChange={(e) => setSort(e.target.value as ImageSortKey)}>
                {imageSortKeys.map((k) => (
                  <option key={k} value={k}>
                    {t(`library.sortBy.${k}`)}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <label className="check">
            <input type="checkbox" checked={descending} onChange={(e) => setDescending(e.target.checked)} />
            {t('library.descending')}
          </label>
          <Field label={t('library.format')}>
            {(id) => (
              <select id={id} value={format} onChange={(e) => setFormat(e.target.value)}>
                <option value="">{t('library.anyFormat')}</option>
                {imageFormats.map((f) => (
                  <option key={f.id} value={f.id}>
                    {f.name}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label={t('library.thumbSize')}>
            {(id) => <input id={id} type="range" min={96} max={320} step={16} value={cellSide} onChange={(e) => setCellSide(Number(e.target.value))} />}
          </Field>
          <span className="spacer" />
          <span className="count" aria-live="polite">
            {t('library.countLine', { total, selected: selectedCount })}
          </span>
          <button type="button" onClick={() => void selectEverything()} disabled={total === 0}>
            {t('library.selectAll')}
          </button>
          <button type="button" onClick={() => setSelection(emptySelection)} disabled={selectedCount === 0}>
            {t('library.selectNone')}
          </button>
          <button type="button" className="primary" onClick={() => setBatchOpen(true)} disabled={!batchInputs}>
            {selectedCount > 0 ? t('library.enhanceSelected', { count: selectedCount }) : t('library.enhanceFolder')}
          </button>
        </div>
        {total === 0 && !pages.error && <p className="empty">{(folders.data ?? []).length === 0 ? t('library.emptyLibrary') : t('library.noMatches')}</p>}
        {pages.error && <p role="alert">{errorText(pages.error)}</p>}
        <ThumbnailGrid
          pages={pages}
          total={total}
          selection={selection}
          onSelection={setSelection}
          focusIndex={focusIndex}
          onFocusIndex={setFocusIndex}
          onOpen={(index) => {
            const image = pages.get(index);
            if (image && !image.error) onOpenImage(image);
          }}
          onSelectAll={() => void selectEverything()}
          cellSide={cellSide}
        />
      </section>

      <aside className="inspector" aria-label={t('library.inspector')}>
        {batchOpen && batchInputs ? (
          <BatchPanel
            inputs={batchInputs}
            description={batchDescription}
            name={batchName}
            hasFolders={'paths' in batchInputs}
            onClose={() => setBatchOpen(false)}
            onEnqueued={(batch) => {
              setBatchOpen(false);
              onBatchStarted(batch);
            }}
          />
        ) : focused ? (
          <ImageDetailsPanel imageId={focused.id} onOpen={() => onOpenImage(focused)} />
        ) : (
          <p className="empty">{t('library.nothingFocused')}</p>
        )}
      </aside>
    </div>
  );
}

function findNode(roots: FolderNode[], key: FolderKey): FolderNode | undefined {
  for (const node of roots) {
    if (node.rootId === key.rootId && node.dir === key.dir) return node;
    const found = findNode(node.children, key);
    if (found) return found;
  }
  return undefined;
}
