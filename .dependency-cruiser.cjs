// The house's import boundaries (docs/architecture.md, README "Layout"), checked by `npm run lint:layers` in `npm test`.
// Each rule names what it keeps apart and says why; a violation prints the rule's name and the import.

/**
 * The rooms of main/, bottom to top. A room imports only rooms of the tiers below its own (never one
 * beside it), and shared/.
 */
const tiers = [
  ['store', 'imaging'], // foundations: the SQLite file, pixels in and out of files
  ['engine'], // runs a model on pixels
  ['models', 'library'], // the model catalogue (probes imports on the engine); photos the app knows, and walking folders for them
  ['pipeline'], // one image end to end, and the one runner that takes images through it
  ['queue', 'evaluation'], // durable batches; measuring models
  ['training'], // fine-tuning (scores its runs with evaluation)
  ['host', 'transport'], // the machine the app runs on; what both transports share
  ['services'], // the composition root: builds the rooms above into the service objects
  ['cli', 'server', 'electron'], // entry points: the command line, the HTTP server, the desktop shell
];

/**
 * The folders of renderer/, bottom to top, under the same rule as main's rooms (their tests too): shared state
 * and widgets at the bottom, the window at the top, so that what every screen stands on never reaches up into a
 * screen.
 */
const screenTiers = [
  ['i18n', 'transport', 'styles'], // the strings in both languages; the bridge to main; the stylesheet
  ['state'], // shared state and hooks: the bridge's context, settings, system info, the training runs
  ['ui'], // widgets and helpers two screens or more use (fields, notices, Remove that asks first, model options)
  ['batch'], // the batch panel, which the library opens over itself
  ['library', 'queue', 'models', 'training', 'settings', 'viewer'], // the screens, and the viewer over them
  ['app'], // the window: the entry, the activity bar that switches screens, the status bar
];

// Tests and the fixture makers in main/testing stand outside the order: a test may take fixtures from any
// room, and tests make and check their images with sharp. They still obey the electron, onnxruntime and
// better-sqlite3 rules. The benches live in bench/, outside main/: they drive the whole stack to measure
// it and may import anything, so no rule here names them but the one that keeps the app from importing them.
const tests = '(\\.test\\.tsx?$|/test/|^main/testing/)';

/** A rule: imports from `from` to `to` fail the build; `why` is printed with each violation. */
const forbid = (name, from, to, why) => ({ name, severity: 'error', comment: why, from, to });

const below = (index) => tiers.slice(0, index).flat();

const roomRules = tiers.flatMap((tier, index) =>
  tier.map((room) =>
    forbid(
      `rooms-import-downward-${room}`,
      { path: `^main/${room}/`, pathNot: tests },
      // main/testing is not a room: the-app-does-not-import-tests says who may use it
      { path: '^main/', pathNot: ['^main/testing/', `^main/(${[room, ...below(index)].join('|')})/`] },
      `main/${room} may import only ${index === 0 ? 'shared/' : `main/{${below(index).join(',')}} and shared/`}: ` +
        'rooms of main/ import only the rooms below them, so a change lands in one place and never loops back up.',
    ),
  ),
);

const screenBelow = (index) => screenTiers.slice(0, index).flat();

const screenRules = screenTiers.flatMap((tier, index) =>
  tier.map((folder) =>
    forbid(
      `renderer-imports-downward-${folder}`,
      { path: `^renderer/${folder}/` },
      { path: '^renderer/', pathNot: `^renderer/(${[folder, ...screenBelow(index)].join('|')})/` },
      `renderer/${folder} may import only ${index === 0 ? 'shared/' : `renderer/{${screenBelow(index).join(',')}} and shared/`}: ` +
        'the UI stands in tiers as main does, so the ground every screen uses never depends on a screen.',
    ),
  ),
);

module.exports = {
  forbidden: [
    forbid('shared-imports-nothing-of-ours', { path: '^shared/' }, { path: '^(main|renderer|trainer|models)/' },
      'shared/ is the contract main and renderer both read: it imports neither of them (nor the trainer or models).'),
    forbid('shared-is-environment-free', { path: '^shared/' }, { dependencyTypes: ['core'] },
      'shared/ runs in Node and in the page alike: no Node built-ins.'),
    forbid('shared-uses-only-zod', { path: '^shared/' }, { path: '(^|/)node_modules/', pathNot: '(^|/)node_modules/(zod|vitest)/' },
      'shared/ is types, schemas and pure helpers: of npm packages only zod (its tests: vitest).'),
    forbid('renderer-imports-only-shared', { path: '^renderer/' }, { path: '^(main|trainer|models)/' },
      'The UI talks to main only through window.studio (the API in shared/), never by importing main.'),
    forbid('renderer-has-no-node', { path: '^renderer/' }, { dependencyTypes: ['core'] },
      'The renderer runs in a locked-down page (no Node integration): Node built-ins are not there.'),
    forbid('main-does-not-import-renderer', { path: '^main/' }, { path: '^renderer/' },
      'main serves the built UI as files; it never imports the React code.'),
    forbid('only-main-electron-imports-electron', { pathNot: '^main/electron/' }, { path: '(^|/)node_modules/electron/' },
      'Everything but the desktop shell runs under plain Node (CLI, serve, tests), where electron is not there.'),
    forbid('only-imaging-and-library-import-sharp', { pathNot: [`^main/(imaging|library)/`, tests] }, { path: '(^|/)node_modules/sharp/' },
      'Pixels enter and leave files in main/imaging (decode, encode, display PNGs) and the library reads headers and ' +
        'thumbnails: one place for colour, orientation and metadata rules. Others call their functions.'),
    forbid('only-engine-imports-onnxruntime', { pathNot: '^main/engine/' }, { path: '(^|/)node_modules/onnxruntime-(node|common|web)/' },
      'Sessions, providers and their fallbacks live in main/engine; anything else would load models its own way.'),
    forbid('only-store-imports-better-sqlite3', { pathNot: '^main/store/' }, { path: '(^|/)node_modules/(@types/)?better-sqlite3/' },
      'main/store opens the database and runs its migrations; the other rooms take the open StudioDatabase.'),
    forbid('the-app-does-not-import-tests', { path: '^(main|shared|renderer)/', pathNot: [tests, '^main/evaluation/'] }, { path: [tests, '^bench/'] },
      'Tests, benches and fixture makers are not part of the app. Exception: main/evaluation makes its speed-run ' +
        "photo with main/testing's pattern, so the photo measured is the one the tests use."),
    ...roomRules,
    forbid('every-room-has-a-tier', { path: '^main/', pathNot: `^main/(${tiers.flat().join('|')}|testing)/` }, {},
      'A new folder of main/ goes into `tiers` above (and the README Layout), so its imports are checked too.'),
    ...screenRules,
    forbid('every-renderer-folder-has-a-tier', { path: '^renderer/', pathNot: `^renderer/(${screenTiers.flat().join('|')})/` }, {},
      'A new folder of renderer/ goes into `screenTiers` above (and docs/architecture.md), so its imports are checked too.'),
    forbid('no-circular', { path: '^(main|shared|renderer)/' }, { circular: true },
      'A cycle makes two modules one: neither can be read, tested or moved alone.'),
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^dist/' },
    // type-only imports count: a room that names another's types depends on it
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.test.json' },
  },
};
