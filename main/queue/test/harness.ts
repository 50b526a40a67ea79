import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { Engine } from '../../engine/engine.js';
import type { LoadedModel } from '../../../shared/models/manifest.js';
import { openDatabase, type StudioDatabase } from '../../store/db.js';
import { makeTestModel } from '../../testing/test-models.js';
import { JobQueue, type QueueEvent } from '../job-queue.js';
import { manifestName } from '../../pipeline/output-manifest.js';
import { pipelineStages, type ImageStages } from '../../pipeline/stages.js';

export interface QueueEnv {
  dir: string;
  db: StudioDatabase;
  engine: Engine;
  model: LoadedModel;
  queue: JobQueue;
  events: QueueEvent[];
  close(): Promise<void>;
}

/**
 * A queue on a real database file, the real pipeline and the small random-weight CTMSR model.
 * `memoryBudgetMB` small makes the engine run one tile per call, so progress is per tile; `workers`
 * above one lets the queue run that many photos at once.
 */
export async function queueEnv(options: { memoryBudgetMB?: number; workers?: number; wrap?: (p: ImageStages) => ImageStages } = {}): Promise<QueueEnv> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ctmsr-queue-'));
  const db = openDatabase(path.join(dir, 'studio.db'));
  const model = await makeTestModel('ctmsr');
  const engine = new Engine({ providers: ['cpu'], threads: 1, workers: options.workers, memoryBudgetMB: options.memoryBudgetMB ?? 1024 });
  const real = pipelineStages({ engine, model: async () => model }) as ImageStages;
  const queue = new JobQueue(db, options.wrap ? options.wrap(real) : real);
  const events: QueueEvent[] = [];
  queue.subscribe((e) => events.push(e));
  return {
    dir,
    db,
    engine,
    model,
    queue,
    events,
    async close() {
      await queue.stop();
      await engine.close();
      db.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Calls `hooks` around each stage; the work itself is the real stages'. */
export function observed(
  inner: ImageStages,
  hooks: {
    decodeStart?: (input: string) => void;
    enhanceStart?: (input: string) => void;
    enhanceEnd?: (input: string) => void;
    tile?: (input: string, fraction: number) => void;
    writeStart?: (output: string) => void;
  },
): ImageStages {
  const inputOf = new WeakMap<object, string>();
  return {
    model: (s) => inner.model(s),
    size: (e) => inner.size(e),
    async decode(input, target) {
      hooks.decodeStart?.(input);
      const decoded = await inner.decode(input, target);
      inputOf.set(decoded as object, input);
      return decoded;
    },
    pixels: (d) => inner.pixels(d),
    async enhance(decoded, settings, callbacks) {
      const input = inputOf.get(decoded as object) ?? '?';
      hooks.enhanceStart?.(input);
      try {
        return await inner.enhance(decoded, settings, {
          ...callbacks,
          onProgress: (f) => {
            hooks.tile?.(input, f);
            callbacks.onProgress(f);
          },
        });
      } finally {
        hooks.enhanceEnd?.(input);
      }
    },
    async write(enhanced, output, settings) {
      hooks.writeStart?.(output);
      return inner.write(enhanced, output, settings);
    },
  };
}

export function sha256(file: string): string {
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

/** Every file below `dir`, relative, sorted; the output manifests the app keeps beside outputs are left out. */
export function listFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return (fs.readdirSync(dir, { recursive: true }) as string[])
    .filter((f) => fs.statSync(path.join(dir, f)).isFile() && path.basename(f) !== manifestName)
    .map((f) => f.split(path.sep).join('/'))
    .sort();
}

/** Decodes every pixel: a truncated or corrupt file throws. */
export async function fullyDecodes(file: string): Promise<{ width: number; height: number }> {
  const { info } = await sharp(file, { failOn: 'truncated' }).raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height };
}
