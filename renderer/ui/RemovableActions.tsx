import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { errorText } from '../i18n/error-text';

/**
 * A card's row of actions with a Remove that asks first, since what it deletes cannot be brought back. A refusal
 * (main says why not) stays in the card beside what it refuses, not in a notice that passes.
 */
export function RemovableActions({ children, removable, question, onRemove }: { children?: ReactNode; removable: boolean; question: string; onRemove: () => Promise<void> }) {
  const { t } = useTranslation();
  const [confirming, setConfirming] = useState(false);
  const [refusal, setRefusal] = useState<string | null>(null);

  async function remove() {
    setRefusal(null);
    try {
      await onRemove();
    } catch (e) {
      setRefusal(errorText(e));
      setConfirming(false);
    }
  }

  return (
    <>
      <div className="actions">
        {children}
        {removable && !confirming && (
          <button type="button" onClick={() => setConfirming(true)}>
            {t('common.remove')}
          </button>
        )}
      </div>
      {refusal && (
        <p className="error-text" role="alert">
          {refusal}
        </p>
      )}
      {confirming && (
        <div className="confirm" role="group" aria-label={question}>
          <p>{question}</p>
          <div className="actions">
            <button type="button" className="danger" onClick={() => void remove()}>
              {t('common.remove')}
            </button>
            <button type="button" onClick={() => setConfirming(false)} autoFocus>
              {t('common.keep')}
            </button>
          </div>
        </div>
      )}
    </>
  );
}
