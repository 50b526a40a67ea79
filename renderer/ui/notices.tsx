import { createContext, useCallback, useContext, useMemo, useRef, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { errorText } from '../i18n/error-text';

interface Notice {
  id: number;
  kind: 'error' | 'info';
  text: string;
  /** What the notice is about; a later notice or success about the same thing replaces or clears it. */
  topic?: string;
}

interface Notify {
  /** Shows an error's message as it is: messages from main are written for the user. */
  error(e: unknown, topic?: string): void;
  info(text: string, topic?: string): void;
  /** Removes the notices about `topic`: the thing they complained about has since worked. */
  clear(topic: string): void;
}

const NoticeContext = createContext<Notify | null>(null);
const infoLifetimeMs = 5000;

export function NoticeProvider({ children }: { children: ReactNode }) {
  const { t } = useTranslation();
  const [notices, setNotices] = useState<Notice[]>([]);
  const nextId = useRef(1);

  const dismiss = useCallback((id: number) => setNotices((list) => list.filter((n) => n.id !== id)), []);
  const push = useCallback(
    (kind: Notice['kind'], text: string, topic?: string) => {
      const id = nextId.current++;
      setNotices((list) => [...list.filter((n) => topic === undefined || n.topic !== topic).slice(-4), { id, kind, text, topic }]);
      if (kind === 'info') setTimeout(() => dismiss(id), infoLifetimeMs);
    },
    [dismiss],
  );
  const notify = useMemo<Notify>(
    () => ({
      error: (e, topic) => push('error', errorText(e), topic),
      info: (text, topic) => push('info', text, topic),
      clear: (topic) => setNotices((list) => list.filter((n) => n.topic !== topic)),
    }),
    [push],
  );

  return (
    <NoticeContext.Provider value={notify}>
      {children}
      <div className="notices" aria-live="polite">
        {notices.map((n) => (
          <div key={n.id} className={`notice notice-${n.kind}`} role={n.kind === 'error' ? 'alert' : 'status'}>
            <span>{n.text}</span>
            <button type="button" className="icon-button" onClick={() => dismiss(n.id)} aria-label={t('common.dismiss')}>
              ×
            </button>
          </div>
        ))}
      </div>
    </NoticeContext.Provider>
  );
}

export function useNotify(): Notify {
  const notify = useContext(NoticeContext);
  if (!notify) throw new Error('useNotify outside NoticeProvider');
  return notify;
}
