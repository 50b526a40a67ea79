import type { TFunction } from 'i18next';
import type { StageChoice } from '../../shared/training/types';

/** A run's stage choice in the UI's language: on its card, and in the lineage of the model it made. */
export function stageName(stages: StageChoice | string, t: TFunction): string {
  // i18n keys hold no '+'
  return t(`training.stages.${stages === 'ct+dtm' ? 'ctDtm' : stages === 'ct' ? 'ct' : 'supervised'}`);
}
