import { describe, expect, it } from 'vitest';
import { JsonLinesReader, type RawMessage } from '../json-lines.js';

function reader() {
  const messages: RawMessage[] = [];
  const other: string[] = [];
  const r = new JsonLinesReader({ onMessage: (m) => messages.push(m), onOther: (l) => other.push(l) });
  return { r, messages, other };
}

describe('JsonLinesReader', () => {
  it('joins a line split across chunks, even inside a multi-byte character', () => {
    const { r, messages } = reader();
    const line = Buffer.from('{"type": "preview", "pair": "Köln"}\n{"type": "progress", "step": 3}\n');
    const cut = line.indexOf(Buffer.from('ö')) + 1; // between the two bytes of ö
    r.push(line.subarray(0, 5));
    expect(messages).toEqual([]);
    r.push(line.subarray(5, cut));
    r.push(line.subarray(cut, cut + 30));
    r.push(line.subarray(cut + 30));
    expect(messages).toEqual([{ type: 'preview', pair: 'Köln' }, { type: 'progress', step: 3 }]);
  });

  it('logs lines that are not protocol messages and keeps reading', () => {
    const { r, messages, other } = reader();
    r.push('UserWarning: something\n{"type": "checkpoint"\n[1, 2]\n{"no": "type"}\n\r\n{"type": "stopped", "step": 4}\r\n');
    expect(other).toEqual(['UserWarning: something', '{"type": "checkpoint"', '[1, 2]', '{"no": "type"}']);
    expect(messages).toEqual([{ type: 'stopped', step: 4 }]);
  });

  it('reads a last line without its newline at the end, and hands a half-written one to the log', () => {
    const { r, messages, other } = reader();
    r.push('{"type": "exported", "onnx": "/a.onnx"}');
    expect(messages).toEqual([]);
    r.end();
    expect(messages).toEqual([{ type: 'exported', onnx: '/a.onnx' }]);
    const second = reader();
    second.r.push('{"type": "progress", "st');
    second.r.end();
    expect(second.messages).toEqual([]);
    expect(second.other).toEqual(['{"type": "progress", "st']);
  });
});
