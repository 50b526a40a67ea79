// The house's import boundaries (DESIGN §1, README "Layout"), checked by `npm run lint:layers` in `npm test`.
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

// Tests, benchmark scripts and the fixture makers in main/testing stand outside the order: a test may take
// fixtures from any room, a bench drives the whole stack to measure it, and both make and check their
// images with sharp. They still obey the electron, onnxruntime and better-sqlite3 rules.
const testsAndBenches = '(\\.test\\.tsx?$|/test/|/bench/|^main/testing/)';

const below = (index) => tiers.slice(0, index).flat();

const roomRules = tiers.flatMap((tier, index) =>
  tier.map((room) => ({
    name: `rooms-import-downward-${room}`,
    severity: 'error',
    comment:
      `main/${room} may import only ${index === 0 ? 'shared/' : `main/{${below(index).join(',')}} and shared/`}: ` +
      'rooms of main/ import only the rooms below them, so a change lands in one place and never loops back up.',
    from: { path: `^main/${room}/`, pathNot: testsAndBenches },
    // main/testing is not a room: the-app-does-not-import-tests says who may use it
    to: {
      path: '^main/',
      pathNot: ['^main/testing/', `^main/(${[room, ...below(index)].join('|')})/`],
    },
  })),
);

module.exports = {
  forbidden: [
    {
      name: 'shared-imports-nothing-of-ours',
      severity: 'error',
      comment: 'shared/ is the contract main and renderer both read: it imports neither of them (nor the trainer or models).',
      from: { path: '^shared/' },
      to: { path: '^(main|renderer|trainer|models)/' },
    },
    {
      name: 'shared-is-environment-free',
      severity: 'error',
      comment: 'shared/ runs in Node and in the page alike: no Node built-ins.',
      from: { path: '^shared/' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'shared-uses-only-zod',
      severity: 'error',
      comment: 'shared/ is types, schemas and pure helpers: of npm packages only zod (its tests: vitest).',
      from: { path: '^shared/' },
      to: { path: '(^|/)node_modules/', pathNot: '(^|/)node_modules/(zod|vitest)/' },
    },
    {
      name: 'renderer-imports-only-shared',
      severity: 'error',
      comment: 'The UI talks to main only through window.studio (the API in shared/), never by importing main.',
      from: { path: '^renderer/' },
      to: { path: '^(main|trainer|models)/' },
    },
    {
      name: 'renderer-has-no-node',
      severity: 'error',
      comment: 'The renderer runs in a locked-down page (no Node integration): Node built-ins are not there.',
      from: { path: '^renderer/' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'main-does-not-import-renderer',
      severity: 'error',
      comment: 'main serves the built UI as files; it never imports the React code.',
      from: { path: '^main/' },
      to: { path: '^renderer/' },
    },
    {
      name: 'only-main-electron-imports-electron',
      severity: 'error',
      comment: 'Everything but the desktop shell runs under plain Node (CLI, serve, tests), where electron is not there.',
      from: { pathNot: '^main/electron/' },
      to: { path: '(^|/)node_modules/electron/' },
    },
    {
      name: 'only-imaging-and-library-import-sharp',
      severity: 'error',
      comment:
        'Pixels enter and leave files in main/imaging (decode, encode, display PNGs) and the library reads headers and ' +
        'thumbnails: one place for colour, orientation and metadata rules. Others call their functions.',
      from: { pathNot: [`^main/(imaging|library)/`, testsAndBenches] },
      to: { path: '(^|/)node_modules/sharp/' },
    },
    {
      name: 'only-engine-imports-onnxruntime',
      severity: 'error',
      comment: 'Sessions, providers and their fallbacks live in main/engine; anything else would load models its own way.',
      from: { pathNot: '^main/engine/' },
      to: { path: '(^|/)node_modules/onnxruntime-(node|common|web)/' },
    },
    {
      name: 'only-store-imports-better-sqlite3',
      severity: 'error',
      comment: 'main/store opens the database and runs its migrations; the other rooms take the open StudioDatabase.',
      from: { pathNot: '^main/store/' },
      to: { path: '(^|/)node_modules/(@types/)?better-sqlite3/' },
    },
    {
      name: 'the-app-does-not-import-tests',
      severity: 'error',
      comment:
        'Tests, benches and fixture makers are not part of the app. Exception: main/evaluation makes its speed-run ' +
        "photo with main/testing's pattern, so the photo measured is the one the tests use.",
      from: { path: '^(main|shared|renderer)/', pathNot: [testsAndBenches, '^main/evaluation/'] },
      to: { path: testsAndBenches },
    },
    ...roomRules,
    {
      name: 'every-room-has-a-tier',
      severity: 'error',
      comment: 'A new folder of main/ goes into `tiers` above (and the README Layout), so its imports are checked too.',
      from: { path: '^main/', pathNot: `^main/(${tiers.flat().join('|')}|testing)/` },
      to: {},
    },
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'A cycle makes two modules one: neither can be read, tested or moved alone.',
      from: { path: '^(main|shared|renderer)/' },
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^dist/' },
    // type-only imports count: a room that names another's types depends on it
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.test.json' },
  },
};
