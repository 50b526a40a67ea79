/**
 * What the app says when it refuses a request from the screens, or why a photo failed or was skipped, in English, with
 * {{placeholders}} (i18next's form). Main builds its messages from these texts, so the CLI and the logs read as before,
 * and sends the key and the values along (StudioError.said, a queue item's `errorSaid`); the renderer says the same
 * thing in the UI language from its own locale, whose `errors` part has exactly these keys. Values named in `worded`
 * are words from a fixed list (a run's state, what the app was doing, what a path is) and are worded by their list.
 */
import type { RunState } from './training/types.js';
import { StudioError, type ErrorCode, type ErrorStage, type Said, type SaidValue, type StudioErrorOptions } from './errors.js';

const useAnotherPython = 'Choose the python executable of an installation that has PyTorch, or clear the field to let the app look for one.';
const systemFolders = 'CTMSR Studio never reads photos from system folders or writes into them. Choose a folder of your own.';

export const refusalTexts = {
  states: { queued: 'queued', running: 'running', stopping: 'stopping', stopped: 'stopped', failed: 'failed', done: 'done' } satisfies Record<RunState, string>,
  doing: { input: 'reading', model: 'loading the model for', engine: 'enhancing', output: 'writing' } satisfies Record<ErrorStage, string>,
  fileKinds: { file: 'a file', folder: 'a folder', fifo: 'a named pipe (FIFO)', socket: 'a socket', device: 'a device', other: 'not a regular file' },
  training: {
    noWeights: '{{model}} cannot be fine-tuned: its training weights are not installed (only models made by the trainer, and the fine-tuned ones, carry them). Choose another base model.',
    scaleMismatch: 'The pairs are ×{{pairs}} but {{model}} is ×{{scale}}. Choose a ×{{pairs}} base model.',
    notTraining: '{{run}} is not training (it is {{state}}).',
    cannotResume: '{{run}} is {{state}}; only a stopped or failed run can resume.',
    stopBeforeRemove: '{{run}} is {{state}}; stop it first, then remove it.',
    baseModelInUse:
      'Model "{{model}}" is the base model of the training run "{{run}}" ({{state}}), which needs it to train, resume and measure its result. Let the run finish, or remove the run on the Training screen, then remove the model.',
    stopBeforeExport: '{{run}} is {{state}}. Stop it first (stopping writes a checkpoint), then export it.',
    alreadyExported: '{{run}} has finished; its model is already in Models.',
    noCheckpoint: '{{run}} has no checkpoint to export yet; resume it for a while, or wait until it finishes.',
    anotherTraining: 'Another run is training; export this one when it has finished or stopped.',
    diskFullStopped: 'Training stopped: the disk holding {{folder}} is full. Free some space on it, then resume: the run continues from its last checkpoint.',
    failed: 'Training failed: {{reason}}. Resume continues from the last checkpoint; the log is {{log}}.',
    killed:
      'Training failed: the trainer was killed by {{signal}} (by another program, or by the system when memory ran out). Resume continues from the last checkpoint; the log is {{log}}.',
    exited: 'Training failed: the trainer exited with code {{code}}. Resume continues from the last checkpoint; the log is {{log}}.',
    appClosed: 'CTMSR Studio closed while this run was training. Resume continues from its last checkpoint.',
    folderGone:
      'The run folder {{folder}} was deleted or moved: its settings, checkpoint and held-out pictures are gone, so {{run}} cannot go on. Remove the run from the list and start a new one.',
    setupDiskFull: 'Cannot set up the run in {{folder}}: the disk is full. Free some space on it, then start the run again.',
  },
  scan: {
    isAFile: '{{path}} is a file, not a folder. Give the folder that holds the pictures.',
    notAFolder: '{{path}} is not a folder. Give the folder that holds the pictures.',
    missing: '{{path}} does not exist. Check the path (the full path of a folder).',
    unreadable: '{{path}} cannot be opened ({{code}}). Check that you may read it.',
    chooseSource: 'Choose a pairs folder (with LR and HR inside) or both folders.',
    noSubfolders:
      '{{folder}} has no LR and HR subfolders. Put the low-resolution pictures in LR/ and their high-resolution versions, with the same names, in HR/ — or choose the two folders.',
    tooFewPairsFix: 'Only {{count}} usable pairs: fine-tuning needs at least {{minimum}} (2 of them are kept aside to measure the result). Add more or fix the files listed.',
    tooFewPairs: 'Only {{count}} usable pairs: fine-tuning needs at least {{minimum}} (2 of them are kept aside to measure the result). Add more to {{folder}}.',
    tooFewPhotosFix: 'Only {{count}} usable photos: fine-tuning needs at least {{minimum}} (2 of them are kept aside to measure the result). Add more or fix the files listed.',
    tooFewPhotos: 'Only {{count}} usable photos: fine-tuning needs at least {{minimum}} (2 of them are kept aside to measure the result). Add more to {{folder}}.',
  },
  badFile: {
    duplicateNameOf: 'duplicate name: {{other}} has the same name; keep one of them',
    duplicateName: 'duplicate name: another file has the same name; keep one of them',
    copyOf: 'duplicate: the same picture as {{first}}',
    partnerUnusable: 'its {{side}} partner {{stem}}.* in {{folder}} cannot be used (listed above)',
    partnerMissing: 'no {{side}} partner: {{path}} is missing',
    notAMultiple: 'size not a multiple: HR {{hr}} is not a whole multiple (×2 or more) of LR {{lr}}',
    scaleDisagrees: 'sizes disagree with the scale: LR {{lr}} and HR {{hr}} are ×{{scale}}, the other pairs ×{{common}}',
    tooSmallHr: 'too small for a crop: HR {{size}} is under the {{crop}} px training crop',
    tooSmall: 'too small for a crop: {{size}} is under the {{crop}} px training crop',
  },
  queue: {
    imageGone: 'Image #{{id}} is no longer in the library. Refresh the view and choose again.',
    noImagesIn: 'No images found in {{paths}}. Choose a folder with {{formats}} files.',
    noImagesSelected: 'No images found in the selection. Choose a folder with {{formats}} files.',
    reorderWithinBatch: 'Items can only be reordered within their own batch.',
    batchGone: 'Batch #{{id}} does not exist any more. Refresh the queue.',
    itemNotInBatch: 'Item #{{item}} is not in batch #{{batch}}. Refresh the queue.',
    itemGone: 'Item #{{id}} does not exist any more. Refresh the queue.',
    noPreset: 'There is no preset called "{{name}}".',
  },
  library: {
    notAFolder: '{{folder}} is not a folder that can be opened. Check the path.',
    imageGone: 'Image #{{id}} is no longer in the library. Refresh the view.',
    foldersSkipped: 'Scanning {{folder}}: {{count}} folder(s) could not be read and were left out: {{list}}. Check their permissions, then rescan.',
  },
  viewer: {
    imageGone: 'That image is no longer available. Refresh the view.',
    noOutput: 'This image has no output yet.',
  },
  access: {
    notChosen: 'CTMSR Studio only opens files and folders you chose, and {{path}} was not one of them. Pick it with the Browse… button.',
    systemFolder: `{{path}} is a system folder: ${systemFolders}`,
    insideSystemFolder: `{{path}} is inside the system folder {{folder}}: ${systemFolders}`,
  },
  models: {
    notFound: 'Model "{{model}}" not found (installed: {{installed}}). Choose another model, or give the path of an .onnx file.',
    notOnnx: '{{file}} is not an .onnx file. Choose an ONNX model.',
    notInstalled: 'Model "{{model}}" is not installed. Refresh the list of models.',
    bundled: '{{model}} comes with CTMSR Studio and cannot be removed.',
  },
  files: {
    diskFull: 'The disk is full while {{doing}} {{file}}. Free some space or choose another output folder, then resume.',
    outputNotWritable: 'Cannot write {{file}}: the output folder is read-only or not writable. Choose another output folder or fix its permissions, then resume.',
    inputNotReadable: "Cannot read {{file}}: permission denied. Fix the file's permissions, then retry it.",
    outputFolderGone: 'Cannot write {{file}}: its folder does not exist (was it removed or unmounted?). Choose another output folder, then resume.',
    inputGone: '{{file}} is gone (moved or deleted since it was chosen). Put it back or remove it from the batch.',
    outOfMemory: 'Ran out of memory while {{doing}} {{file}}. Lower the tile size or the memory budget (Settings, or --tile-size / --memory), then retry.',
    failed: 'Failed while {{doing}} {{file}}: {{detail}}. Retry it; if it fails again, report it.',
    notAnImageFile: '{{file}} is {{fileKind}}, not an image file. Only regular image files are read.',
    unsupportedFormat: '{{file}} is not an image format CTMSR Studio can read ({{formats}}). Convert it first.',
    overPixelLimit: '{{file}} is larger than {{megapixels}} megapixels. Downscale it before enhancing.',
    undecodable: '{{file}} could not be decoded ({{detail}}). The file may be corrupt or truncated; re-export or replace it.',
    readTimeout: '{{file}} was still being read after {{seconds}} s and was given up. If it is on a network or removable drive, check the drive and retry.',
    outputFolderIsAFile: 'Cannot write into {{folder}}: {{file}} is a file, not a folder. Choose another output folder.',
    cannotCreateFolder: 'Cannot create the output folder {{folder}}: {{parent}} does not accept new folders ({{detail}}). Choose another output folder.',
    missingInput: '{{file}} does not exist. Check the path and try again.',
    scaleAboveModel: "Scale ×{{scale, number}} is larger than the model's native ×{{native}}. Choose ×{{native}} or less, or a model with a larger scale.",
    tooLargeToEnhance: '{{file}} is {{width, number}} × {{height, number}}: the model would make {{made}} of it, more than the {{limit}} CTMSR Studio works on. {{advice}}',
    tooLargeForFormat: '{{file}} would be {{width, number}} × {{height, number}} ({{area}}), and {{format}} images can be at most {{limit}}. Choose {{choice}}.',
  },
  sizes: {
    downscaleTo: 'Downscale it to at most {{percent}} % first, or crop it.',
    cropOrDownscale: 'Crop or downscale it first.',
    perSide: '{{side, number}} px per side',
    formatOrWidth: '{{formats}} as the format, or {{width}}',
    width: 'a width of at most {{width, number}} px',
    widthAtScale: 'a width of at most {{width, number}} px (scale ×{{scale, number}})',
    or: '{{first}} or {{rest}}',
  },
  output: {
    existsSkipExisting: '{{file}} already exists (skip existing is on)',
    existsSkip: '{{file}} already exists (collision policy: skip)',
    exists: '{{file}} already exists. Choose the rename or overwrite policy, or another output folder.',
    noFreeName: '{{file}} already exists and no free name was found beside it. Choose another output folder.',
    alreadyEnhanced: 'already enhanced to {{name}} (skip existing is on)',
    animation: 'animated: only the first of its {{frames}} frames was enhanced',
    notAttempted: 'not attempted: {{reason}}',
  },
  engine: {
    noProviderModel:
      'Model {{model}} ({{file}}) could not be opened on any provider: {{reasons}}. The file is not a graph ONNX Runtime can run: re-export or re-import the model.',
    noProviderMemory: 'Model {{model}} ({{file}}) could not be opened on any provider: {{reasons}}. Close other programs or lower the memory budget in Settings, then retry.',
    noProvider:
      'Model {{model}} ({{file}}) could not be opened on any provider: {{reasons}}. Check the execution providers and threads in Settings (CPU needs no setup), then retry; reinstalling CTMSR Studio repairs a damaged ONNX Runtime.',
    unreadableModel: 'Model {{model}} ({{file}}) could not be read: {{detail}}. Re-import the model.',
    notOnnx: '{{file}} is not an ONNX model ONNX Runtime can open ({{detail}}). Check that the file is complete, or export it again.',
  },
  python: {
    notAbsolute: `The Python interpreter must be a full path (got "{{value}}"). ${useAnotherPython}`,
    missing: `The Python interpreter {{file}} does not exist. ${useAnotherPython}`,
    notExecutable: `The Python interpreter {{file}} is not executable. ${useAnotherPython}`,
    notAProgram: `The Python interpreter {{file}} is {{fileKind}}, not a program. ${useAnotherPython}`,
    notPythonNamed: `{{file}}: it is not a Python interpreter (a Python is named python, python3, python3.12 or similar; {{name}} was not run). ${useAnotherPython}`,
    cannotTrain: `The Python interpreter {{file}} cannot train: {{problem}}. ${useAnotherPython}`,
  },
};

type Texts = typeof refusalTexts;
/** Values that are words from a fixed list, and the list that words them. */
export const worded = { state: 'states', doing: 'doing', fileKind: 'fileKinds' } as const;
type Group = Exclude<keyof Texts, (typeof worded)[keyof typeof worded]>;
/** 'training.notTraining', 'queue.batchGone', …: a refusal's key, as the renderer's `errors.<key>`. */
export type RefusalKey = { [G in Group]: `${G}.${keyof Texts[G] & string}` }[Group];
export type RefusalParams = Record<string, SaidValue>;

/** The English text of `key` with its values filled in (those named in `worded` worded by their list). */
export function refusalText(key: RefusalKey, params: RefusalParams = {}): string {
  const [group, name] = key.split('.') as [Group, string];
  const template = (refusalTexts[group] as Record<string, string>)[name];
  return template.replace(/\{\{(\w+)(, *number)?\}\}/g, (_, p: string, number?: string) => {
    const value = params[p];
    if (value === undefined) throw new Error(`refusal ${key} needs a value for {{${p}}}`);
    if (typeof value === 'object') return refusalText(value.key as RefusalKey, value.params);
    if (number && typeof value === 'number') return value.toLocaleString('en-US');
    const list = p in worded ? (refusalTexts[worded[p as keyof typeof worded]] as Record<string, string>) : undefined;
    return list?.[String(value)] ?? String(value);
  });
}

/** Why a photo was skipped or what is worth knowing about it (not an error): the English text and what the UI says. */
export interface Reason {
  reason: string;
  said: Said;
}

export function reason(key: RefusalKey, params: RefusalParams = {}): Reason {
  return { reason: refusalText(key, params), said: said(key, params) };
}

/** A part of a sentence with its own wording, as the value of another's placeholder. */
export function said(key: RefusalKey, params: RefusalParams = {}): Said {
  return { key, params };
}

/** A StudioError whose message is the English text and which carries the key and values for the UI's language. */
export function refusal(code: ErrorCode, key: RefusalKey, params: RefusalParams = {}, options: Omit<StudioErrorOptions, 'said'> = {}): StudioError {
  return new StudioError(code, refusalText(key, params), { ...options, said: { key, params } });
}
