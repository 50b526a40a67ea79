/**
 * A measured fine-tune, as the app does it: a folder of one domain's photos in HR-only mode (JPEG-only damage by
 * default), a length preset, the shipped base model. Prints the wall time, the held-out PSNR/LPIPS of base vs
 * fine-tuned through the app's engine, and Set14 (bicubic LR) for both, with differences against the base measured
 * in the same run.
 *
 *   tsx bench/training/finetune-quick.ts --photos ../shared/data/train/BSDS500/test --count 24 \
 *       --degradation jpeg --quality 20 --length quick --work /tmp/ft-bench [--base ctmsr-s-x4-real] [--stages ct]
 */
import { mkdir, rm, symlink } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { evaluateModels } from '../../main/evaluation/harness.js';
import { openStudio } from '../../main/services/studio.js';
import { stageChoiceOf, type LengthPreset, type TrainingRun } from '../../shared/training/types.js';
import { isTrainableImage } from '../../main/training/source-scan.js';
import { readdir } from 'node:fs/promises';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      photos: { type: 'string' },
      count: { type: 'string', default: '24' },
      degradation: { type: 'string', default: 'jpeg' },
      quality: { type: 'string', default: '20' },
      length: { type: 'string', default: 'quick' },
      iterations: { type: 'string' },
      stages: { type: 'string', default: 'ct' },
      base: { type: 'string', default: 'ctmsr-s-x4-real' },
      work: { type: 'string', default: '/tmp/ctmsr-finetune-bench' },
      set14: { type: 'boolean', default: true },
    },
  });
  if (!values.photos) throw new Error('--photos DIR is required');
  const work = path.resolve(values.work!);
  await rm(work, { recursive: true, force: true });
  const photos = path.join(work, 'photos');
  await mkdir(photos, { recursive: true });
  const files = (await readdir(values.photos)).filter(isTrainableImage).sort().slice(0, Number(values.count));
  for (const f of files) await symlink(path.resolve(values.photos, f), path.join(photos, f));

  const studio = await openStudio({ dataDir: path.join(work, 'data') });
  const started = Date.now();
  let run: TrainingRun = await studio.training.start({
    source: { kind: 'hr', folder: photos, degradation: values.degradation as 'jpeg', jpegQuality: Number(values.quality), scale: 4 },
    baseModelId: values.base!,
    length: values.length as LengthPreset,
    ...(values.iterations ? { iterations: Number(values.iterations) } : {}),
    stages: stageChoiceOf(values.stages),
    heldOutShare: 0.1,
    name: `bench ${values.degradation} q${values.quality}`,
  });
  let trainedAt = 0;
  let lastLog = 0;
  for (;;) {
    run = studio.training.run(run.id);
    if (!trainedAt && run.stage === 'evaluating') trainedAt = Date.now();
    if (Date.now() - lastLog > 60_000) {
      lastLog = Date.now();
      console.error(`${((Date.now() - started) / 1000).toFixed(0)} s: ${run.state} step ${run.step}/${run.totalIterations} ${run.itPerSec?.toFixed(3) ?? '—'} it/s`);
    }
    if (run.state === 'done' || run.state === 'failed' || run.state === 'stopped') break;
    await new Promise((r) => setTimeout(r, 2000));
  }
  const finished = Date.now();
  await studio.close();
  if (run.state !== 'done') throw new Error(`the run ended ${run.state}: ${run.error}`);
  const h = run.heldOut!;
  const lpipsText = (v?: number) => (v === undefined ? '—' : v.toFixed(4));
  console.log(`\n${files.length} photos of ${values.photos}, ${values.degradation} q${values.quality}, ${run.trainPairs} trained / ${run.heldOutPairs} held out, ${run.totalIterations} iterations (${values.length}, ${values.stages}), device ${run.device}`);
  console.log(`wall time: training ${(((trainedAt || finished) - started) / 60000).toFixed(1)} min, with evaluation ${((finished - started) / 60000).toFixed(1)} min`);
  console.log('\n| held-out (app engine) | PSNR | LPIPS |\n|---|---|---|');
  console.log(`| base ${run.baseModelId} | ${h.base.psnr.toFixed(2)} | ${lpipsText(h.base.lpips)} |`);
  console.log(`| fine-tuned ${run.modelId} | ${h.tuned.psnr.toFixed(2)} | ${lpipsText(h.tuned.lpips)} |`);
  const lpipsRatio = h.base.lpips && h.tuned.lpips ? h.tuned.lpips / h.base.lpips : undefined;
  console.log(`| difference | ${(h.tuned.psnr - h.base.psnr >= 0 ? '+' : '') + (h.tuned.psnr - h.base.psnr).toFixed(2)} dB | ${lpipsRatio ? `${lpipsRatio.toFixed(3)}×` : '—'} |`);

  if (values.set14) {
    const report = await evaluateModels({
      models: [values.base!, path.join(work, 'data', 'models', `${run.modelId}.onnx`)],
      sets: ['Set14'],
      steps: [1],
      seed: 0,
      degradationSeed: 0,
      speed: false,
      threads: 0,
    });
    const [base, tuned] = report.results;
    console.log('\n| Set14 (app engine) | PSNR | LPIPS |\n|---|---|---|');
    for (const r of report.results) console.log(`| ${r.model} | ${r.sr.psnr?.toFixed(2)} | ${lpipsText(r.sr.lpips)} |`);
    console.log(`| difference | ${((tuned.sr.psnr ?? 0) - (base.sr.psnr ?? 0)).toFixed(2)} dB | ${base.sr.lpips && tuned.sr.lpips ? `${(tuned.sr.lpips / base.sr.lpips).toFixed(3)}×` : '—'} |`);
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
