/**
 * Schema-valid sample values for the fuzz test, from json-schema-faker's CommonJS build (0.5.x;
 * the 0.6 line is ESM-only, which jest's CommonJS runtime cannot load). Each call is seeded on
 * its own, so a run is reproducible from the fuzz seed alone.
 */
import { JSONSchemaFaker, type Schema } from 'json-schema-faker';

export interface FakerOptions {
  seed: number;
  maxItems?: number;
  optionalsProbability?: number;
}

/** mulberry32: small, fast and good enough to drive sampling choices reproducibly. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function generateSample(schema: unknown, options: FakerOptions): unknown {
  JSONSchemaFaker.option({
    random: seeded(options.seed),
    maxItems: options.maxItems,
    optionalsProbability: options.optionalsProbability,
  });
  return JSONSchemaFaker.generate(schema as Schema);
}
