import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';

/**
 * A picture shown as large as the window allows, over everything (a native modal dialog: Escape and the
 * focus trap come with it). Small pictures are scaled up with hard pixel edges, so detail stays judgeable.
 */
export function ImageDialog({ src, label, onClose }: { src: string; label: string; onClose: () => void }) {
  const { t } = useTranslation();
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    dialog.current?.showModal();
  }, []);
  return (
    <dialog ref={dialog} className="image-dialog" aria-label={label} onClose={onClose} onClick={(e) => e.target === e.currentTarget && onClose()}>
      <img src={src} alt={label} />
      <button type="button" className="image-dialog-close" onClick={onClose} autoFocus>
        {t('common.close')}
      </button>
    </dialog>
  );
}
