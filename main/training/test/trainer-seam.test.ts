/**
 * The seam between the app and the trainer (docs/trainer-protocol.md), checked from both sides so that drift fails
 * here and not only in the slow end-to-end runs: the trainer's own check (`FinetuneConfig`) reads the finetune.json
 * the app builds, and the app's schema parses every kind of message the trainer prints, produced by the trainer
 * itself (emit-every-message.py).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoadedModel } from '../../../shared/models/manifest.js';
import { finetuneConfigSchema, type FinetuneConfig } from '../../../shared/training/finetune-config.js';
import { trainerMessageSchema } from '../../../shared/training/trainer-messages.js';
import { degradations } from '../../../shared/training/types.js';
import { loadModel } from '../../models/load-model.js';
import { makePairsFolder } from '../../testing/pairs.js';
import { testPython, writeTestModel } from '../../testing/test-models.js';
import { parseMessage } from '../json-lines.js';
import { lengthPlan } from '../length-presets.js';
import { runConfig, writeRunConfig } from '../run-config.js';
import { scanSource, splitHeldOut } from '../source-scan.js';

const repoRoot = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../..');
let dir: string;
let base: LoadedModel;
let pairs: string;

function python(args: string[]): string {
  // PYTHONPATH: a script outside trainer/ imports it too
  return execFileSync(testPython, args, { cwd: repoRoot, env: { ...process.env, PYTHONPATH: repoRoot }, encoding: 'utf-8', maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** finetune.json as the app builds it for a run on `source`, written into its own run folder. */
async function appConfig(id: number, source: Parameters<typeof scanSource>[0]): Promise<FinetuneConfig> {
  const plan = lengthPlan('test', 4);
  const scan = await scanSource(source, { cropSide: plan.cropSide });
  expect(scan.problem).toBeNull();
  const { train, heldOut } = splitHeldOut(scan.pairs, 0.2);
  const runDir = path.join(dir, `run-${id}`);
  await mkdir(runDir, { recursive: true });
  const config = runConfig({ id, runDir, name: `run ${id}`, stages: 'warmup', plan, source, scan, train, heldOut, base, checkpoint: base.onnxPath.replace(/\.onnx$/, '.pt') });
  await writeRunConfig(config);
  return config;
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'ctmsr-seam-'));
  writeTestModel('ctmsr', path.join(dir, 'models', 'tiny-ctmsr.onnx'), { checkpoint: true });
  base = await loadModel(path.join(dir, 'models', 'tiny-ctmsr.onnx'));
  pairs = path.join(dir, 'pairs');
  await makePairsFolder(pairs, { count: 10, width: 64, height: 48 });
}, 120_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the trainer seam', () => {
  it("the trainer's FinetuneConfig accepts the finetune.json the app writes, for pairs and for HR photos", async () => {
    const configs = [
      await appConfig(1, { kind: 'pairs', folder: pairs }),
      await appConfig(2, { kind: 'hr', folder: path.join(pairs, 'HR'), degradation: 'jpeg', jpegQuality: 30, scale: 4 }),
    ];
    for (const config of configs) {
      const file = path.join(config.out, 'finetune.json');
      expect(finetuneConfigSchema.parse(JSON.parse(await readFile(file, 'utf-8')))).toEqual(config);
      const read = python(['-c', 'import dataclasses, json, sys; from trainer.config import FinetuneConfig; print(json.dumps(dataclasses.asdict(FinetuneConfig.of(json.load(open(sys.argv[1]))))))', file]);
      expect(JSON.parse(read)).toMatchObject({ out: config.out, stages: config.stages, source: { kind: config.source.kind } });
    }
  }, 120_000);

  it('both sides allow the same values wherever finetune.json names one of a fixed set', () => {
    // the trainer's lists are read from the trainer, not copied here: a value renamed on one side only (say the
    // trainer's `jpeg` becoming `jpg`) would pass every other check and fail only when a user picks it
    const trainer = JSON.parse(python(['-c', 'import json; from trainer.config import choices; print(json.dumps(choices()))']));
    const { shape } = finetuneConfigSchema;
    const sources = shape.source.options;
    const hr = sources.find((o) => o.shape.kind.value === 'hr');
    const app = {
      stages: shape.stages.options,
      'source.kind': sources.map((o) => o.shape.kind.value),
      'source.degradation': hr && 'degradation' in hr.shape ? hr.shape.degradation.options : [],
    };
    // toEqual on the whole map: a field the trainer starts restricting must be added here, against the app's enum
    expect(trainer).toEqual(app);
    expect(app['source.degradation']).toEqual([...degradations]);
  });

  it("the app's schema parses every kind of message the trainer prints", async () => {
    const config = await appConfig(3, { kind: 'pairs', folder: pairs });
    const work = path.join(dir, 'work');
    await mkdir(work, { recursive: true });
    const stdout = python([path.join(repoRoot, 'main/training/test/emit-every-message.py'), path.join(config.out, 'finetune.json'), work]);
    const lines = stdout.split('\n').filter((l) => l.trim());
    const seen = new Set<string>();
    const wrong: string[] = [];
    for (const line of lines) {
      const raw = parseMessage(line);
      if (!raw) {
        wrong.push(`not a message: ${line}`);
        continue;
      }
      seen.add(raw.type);
      const parsed = trainerMessageSchema.safeParse(raw);
      if (!parsed.success) wrong.push(`${line}\n  ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    }
    expect(wrong).toEqual([]);
    // every kind trainer/protocol.py can send was sent, and the schema describes exactly those
    const kinds = [...readFileSync(path.join(repoRoot, 'trainer/protocol.py'), 'utf-8').matchAll(/_emit\("([\w-]+)"/g)].map((m) => m[1]).sort();
    const described = trainerMessageSchema.options.map((o) => o.shape.type.value).sort();
    expect([...seen].sort()).toEqual(kinds);
    expect(described).toEqual(kinds);
  }, 300_000);
});
