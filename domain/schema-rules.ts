/**
 * Rules that zod enforces with a refine, stated once more in JSON Schema for the OpenAPI
 * document (zod cannot derive them from the refine): without them the document calls requests
 * valid that the API refuses. Each sits next to the refine it states (`.meta(when(...))`), and
 * the API contract test (test/integration/api-contract.test.ts) fails when the two disagree.
 * No imports: input definition modules, which the workflow bundle loads, use these.
 */

/** A piece of JSON Schema, as zod's `.meta()` takes it. */
export type JsonSchemaRule = Record<string, unknown>;

/** When `property` is `value`, `then` must hold as well. */
export function when(property: string, value: string | boolean, then: JsonSchemaRule): JsonSchemaRule {
  return { if: { properties: { [property]: { const: value } }, required: [property] }, then };
}

/** Unless `property` is `value`, `otherwise` must hold. */
export function unless(property: string, value: string, otherwise: JsonSchemaRule): JsonSchemaRule {
  return { if: { properties: { [property]: { const: value } }, required: [property] }, else: otherwise };
}

/** Two properties that come together or not at all. */
export function together(a: string, b: string): JsonSchemaRule {
  return {
    allOf: [
      { if: { required: [a] }, then: { required: [b] } },
      { if: { required: [b] }, then: { required: [a] } },
    ],
  };
}
