/**
 * Judges an answer of the API by the OpenAPI document alone, as a client generated from it would:
 * is its status documented for the operation, its media type documented for that status, and
 * does a JSON body fit the documented schema? The in-process counterpart of the schemathesis
 * run in test/integration/api-contract.test.ts, for unit tests of single answers.
 */
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { OpenApiDocument } from '../../api/openapi';

const ROOT = 'urn:aimsflow:openapi';

export interface Answer {
  status: number;
  headers: Headers;
  /** Parsed JSON for JSON media types, else the text. */
  body: unknown;
}

interface ResponseObject {
  $ref?: string;
  content?: Record<string, { schema?: object }>;
}

const isJson = (mediaType: string) => mediaType === 'application/json' || mediaType.endsWith('+json');
const essence = (contentType: string) => contentType.split(';')[0].trim().toLowerCase();

export interface Conformance {
  /** What the document does not allow in this answer; empty when it conforms. */
  mismatches: (method: string, template: string, answer: Answer) => string[];
  /** Whether the document's component schema `name` accepts `value`. */
  accepts: (name: string, value: unknown) => boolean;
}

export function conformance(doc: OpenApiDocument): Conformance {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addFormat('binary', true);
  ajv.addSchema({ $id: ROOT, components: doc.components });
  // Schemas inside the document refer to '#/components/...', which is ROOT here.
  const compile = (schema: object): ValidateFunction =>
    ajv.compile(
      JSON.parse(JSON.stringify(schema).replace(/"#\/components\//g, `"${ROOT}#/components/`)) as object,
    );

  const responseOf = (method: string, template: string, status: number): ResponseObject | undefined => {
    const operation = doc.paths[template]?.[method.toLowerCase() as 'get'] as
      { responses: Record<string, ResponseObject> } | undefined;
    const response = operation?.responses[String(status)];
    if (!response?.$ref) return response;
    return doc.components.responses[response.$ref.split('/').pop() ?? ''];
  };

  return {
    mismatches(method, template, answer) {
      const where = `${method.toUpperCase()} ${template} ${answer.status}`;
      const response = responseOf(method, template, answer.status);
      if (!response) return [`${where}: status not documented`];
      if (!response.content) return [];
      const mediaType = essence(answer.headers.get('content-type') ?? '');
      const documented = response.content[mediaType];
      if (!documented)
        return [`${where}: ${mediaType} not documented (${Object.keys(response.content).join(', ')})`];
      if (!isJson(mediaType) || !documented.schema) return [];
      const validate = compile(documented.schema);
      return validate(answer.body) ? [] : [`${where}: ${ajv.errorsText(validate.errors)}`];
    },
    accepts(name, value) {
      return compile({ $ref: `#/components/schemas/${name}` })(value);
    },
  };
}

/** Fetches and reads an answer the way `Conformance` judges it. */
export async function answerOf(response: Response): Promise<Answer> {
  const text = await response.text();
  const json = isJson(essence(response.headers.get('content-type') ?? '')) && text !== '';
  return {
    status: response.status,
    headers: response.headers,
    body: json ? (JSON.parse(text) as unknown) : text,
  };
}
