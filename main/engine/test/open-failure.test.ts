// What code a model gets when no provider opens it, decided from ONNX Runtime's real refusals on this machine.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { openFailureCode } from '../open-failure.js';

const graph = join(import.meta.dirname, '../../../models/ctmsr-s-x4-clean.onnx');

async function refusal(model: string | Uint8Array, options: ort.InferenceSession.SessionOptions): Promise<unknown> {
  const created = await ort.InferenceSession.create(model as string, { executionProviders: ['cpu'], ...options }).then(
    (s) => s.release().then(() => null),
    (e: unknown) => e,
  );
  expect(created, 'ONNX Runtime opened the session').not.toBeNull();
  return created;
}

describe('when every provider fails to open a model', () => {
  it('bytes that are not a graph: model-invalid', async () => {
    expect(openFailureCode(await refusal(new TextEncoder().encode('not a model'), {}))).toBe('model-invalid');
  });

  it.skipIf(!existsSync(graph))('a good graph the runtime refuses to start (its settings): provider-unavailable, not model-invalid', async () => {
    expect(openFailureCode(await refusal(graph, { intraOpNumThreads: -5 }))).toBe('provider-unavailable');
  });
});
