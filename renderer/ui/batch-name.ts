import type { TFunction } from 'i18next';

/**
 * A batch's name in the UI's language. Main names a batch it was not given a name for
 * "<folder> (<n> images)" or "<n> folders (<n> images)", in English and once; the counts are
 * written again here so a German UI says "Bilder" whatever the language was when it started.
 */
export function displayBatchName(name: string, t: TFunction): string {
  const match = /^(.*) \((\d+) images?\)$/.exec(name);
  if (!match) return name;
  const folders = /^(\d+) folders$/.exec(match[1]);
  const where = folders ? t('queue.nFolders', { count: Number(folders[1]) }) : match[1];
  return `${where} (${t('library.nImages', { count: Number(match[2]) })})`;
}
