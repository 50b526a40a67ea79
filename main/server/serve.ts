/**
 * `npm run serve`: the app's services and UI over HTTP on 127.0.0.1, for headless machines and the
 * end-to-end tests. Prints the address to open (it carries the session token).
 *
 *   npm run serve -- [--data-dir DIR] [--port N] [--models-dir DIR]... [--renderer-dir DIR]
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { printable } from '../../shared/printable.js';
import { createDispatch } from '../transport/dispatch.js';
import { typedPathGrants } from '../host/typed-path-grants.js';
import { appRoot, appVersion, dataDirOf, defaultDataDir } from '../host/app-info.js';
import { openStudio } from '../services/studio.js';
import { startServer } from './http-server.js';
import { httpSystem } from './system.js';

const usage = () => `Usage: npm run serve -- [options]

Serves CTMSR Studio to a browser on 127.0.0.1 and prints the address to open (it carries the session token).

Options:
  --data-dir <dir>      the app's data folder: library, queue, models, training runs
                        (default: CTMSR_DATA_DIR, else the desktop app's: ${defaultDataDir()})
  --port <n>            the port to listen on (default: any free one)
  --models-dir <dir>    a folder of bundled models, instead of the app's models/ (may be repeated)
  --renderer-dir <dir>  the built UI to serve (default: dist-renderer, made by npm run build)
  -h, --help            print this help
`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'data-dir': { type: 'string' },
      port: { type: 'string' },
      'models-dir': { type: 'string', multiple: true },
      'renderer-dir': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(usage());
    return;
  }
  const root = appRoot();
  const studio = await openStudio({
    dataDir: dataDirOf(values['data-dir']),
    bundledModelDirs: values['models-dir']?.map((d) => path.resolve(d)),
  });
  const dispatch = createDispatch({ ...studio.handlers, system: httpSystem(studio, appVersion(root)) }, { checkPaths: typedPathGrants(studio.chosenPaths()) });
  const server = await startServer({
    dispatch,
    events: studio.events,
    media: studio.media,
    rendererDir: path.resolve(values['renderer-dir'] ?? path.join(root, 'dist-renderer')),
    port: values.port ? Number(values.port) : 0,
  });
  console.log(`CTMSR Studio is ready at ${server.launchUrl}`);
  console.log(printable(`Data: ${studio.dataDir}. Press Ctrl+C to stop.`));

  let closing = false;
  const shutdown = async () => {
    if (closing) return;
    closing = true;
    await server.close();
    await studio.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown());
  process.on('SIGTERM', () => void shutdown());
}

main().catch((e: unknown) => {
  // parseArgs' own complaint ("Unknown option '--x'"), then what it does take
  console.error(printable(e instanceof Error ? e.message : String(e)));
  if ((e as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS')) console.error(usage());
  process.exit(1);
});
