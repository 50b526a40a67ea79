import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import { useStudio } from '../state/studio-context';
import { useSystemInfo } from '../state/system-info';
import { useNotify } from './notices';

interface PathFieldProps {
  label: string;
  value: string;
  onChange: (path: string) => void;
  kind: 'folder' | 'file';
  extensions?: string[];
  placeholder?: string;
  /** Called after a path was picked in the native dialog, or typed and confirmed (Enter, leaving the field). */
  onPicked?: (path: string) => void;
  /** Confirm typed paths on Enter and blur too (forms that save as you go). */
  commitTyped?: boolean;
}

/**
 * A path: picked in the native dialog where the host has one (Electron), typed where it has not
 * (the browser transport). Typing also works in Electron; main checks every path either way.
 */
export function PathField({ label, value, onChange, kind, extensions, placeholder, onPicked, commitTyped }: PathFieldProps) {
  const { t } = useTranslation();
  const studio = useStudio();
  const info = useSystemInfo();
  const notify = useNotify();
  const id = useId();

  async function browse() {
    try {
      const picked = kind === 'folder' ? await studio.system.pickFolder({ title: label }) : await studio.system.pickFile({ title: label, extensions });
      if (picked) {
        onChange(picked);
        onPicked?.(picked);
      }
    } catch (e) {
      notify.error(e);
    }
  }

  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <div className="path-field">
        <input
          id={id}
          type="text"
          value={value}
          placeholder={placeholder}
          spellCheck={false}
          onChange={(e) => onChange(e.target.value)}
          onBlur={commitTyped ? () => onPicked?.(value) : undefined}
          onKeyDown={
            commitTyped
              ? (e) => {
                  if (e.key === 'Enter') onPicked?.(value);
                }
              : undefined
          }
        />
        {info?.nativeDialogs && (
          <button type="button" onClick={() => void browse()}>
            {t('common.browse')}
          </button>
        )}
      </div>
    </div>
  );
}
