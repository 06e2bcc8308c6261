/**
 * @module starmodel/testing
 * Testing kit: an in-process kernel with a client that dispatches events and reads back patches,
 * and the store conformance suite every store adapter runs.
 */
export { createTestKernel, TestClient } from './test-kernel.js';
export type { TestKernel, TestKernelOptions } from './test-kernel.js';
export { storeConformance, ConformanceItem, CONFORMANCE_SCENARIOS } from './store-conformance.js';
export type { ConformanceOptions, ConformanceScenario } from './store-conformance.js';
export { serviceUrl } from './services.js';
