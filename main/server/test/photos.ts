// Test images live in main/testing. This name stays only for main/training/test/source-scan.test.ts, which
// others are editing now; drop this file once that test imports writeLandscape from main/testing/photos.ts.
export { writeLandscape as makePhoto } from '../../testing/photos.js';
