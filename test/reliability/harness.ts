/**
 * What the reliability suites share: a real stack (Temporal dev server, worker, API, database,
 * an SMTP server) and a small HTTP client that always authenticates and keeps raw answers, so a
 * test can check status, media type and headers as well as the body.
 */
import { request as httpRequest } from 'node:http';
import type { DataSource } from 'typeorm';
import type { Role } from '../../domain/roles';
import type { Stack } from '../support/stack';

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: unknown;
}

export interface RawRequest {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer | FormData;
}

export class Client {
  constructor(
    private readonly stack: Stack,
    private readonly role: Role = 'admin',
  ) {}

  /**
   * Sends the path exactly as given. fetch would parse it as a URL first and drop "." and ".."
   * segments (even percent-encoded ones), sending a different request from the one planned.
   */
  async raw(request: RawRequest): Promise<Answer> {
    const headers: Record<string, string> = { ...this.stack.authHeader(this.role), ...request.headers };
    let body: Buffer | undefined;
    if (request.body instanceof FormData) {
      // Response serialises the form and picks its boundary, as fetch would.
      const encoded = new Response(request.body);
      body = Buffer.from(await encoded.arrayBuffer());
      headers['content-type'] = encoded.headers.get('content-type') ?? 'multipart/form-data';
    } else if (request.body !== undefined) {
      body = Buffer.from(request.body);
    }
    if (body) headers['content-length'] = String(body.length);
    const base = new URL(this.stack.baseUrl());
    const { status, head, data } = await new Promise<{ status: number; head: Headers; data: Buffer }>(
      (resolve, reject) => {
        const req = httpRequest(
          { host: base.hostname, port: base.port, method: request.method, path: request.path, headers },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (chunk: Buffer) => chunks.push(chunk));
            res.on('error', reject);
            res.on('end', () => {
              const head = new Headers();
              for (const [name, value] of Object.entries(res.headers)) {
                for (const v of Array.isArray(value) ? value : value === undefined ? [] : [value])
                  head.append(name, v);
              }
              resolve({ status: res.statusCode ?? 0, head, data: Buffer.concat(chunks) });
            });
          },
        );
        req.on('error', reject);
        req.end(body);
      },
    );
    const text = data.toString('utf8');
    let json: unknown;
    try {
      json = text ? (JSON.parse(text) as unknown) : undefined;
    } catch {
      json = undefined;
    }
    return { status, headers: head, text, json };
  }

  send(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
    return this.raw({
      method,
      path,
      headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  }

  /** Polls the programme (bounded) until its current step takes inputs. */
  async waitForStep(programmeId: string, step: string, tries = 600): Promise<void> {
    let last: unknown;
    for (let i = 0; i < tries; i++) {
      const answer = await this.send('GET', `/programmes/${programmeId}`);
      last = answer.json;
      const detail = answer.json as { step?: string; accepts?: unknown[] } | undefined;
      if (detail?.step === step && (detail.accepts?.length ?? 0) > 0) return;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error(`step ${step} not reached; last: ${JSON.stringify(last)}`);
  }
}

export function isProblem(answer: Answer, status?: number): boolean {
  const body = answer.json as { type?: unknown; title?: unknown; status?: unknown } | undefined;
  return (
    (status === undefined || answer.status === status) &&
    (answer.headers.get('content-type') ?? '').startsWith('application/problem+json') &&
    typeof body?.type === 'string' &&
    typeof body.title === 'string' &&
    body.status === answer.status
  );
}

export async function countRows(dataSource: DataSource, table: string): Promise<number> {
  const rows: { n: number | string }[] = await dataSource.query(`SELECT COUNT(*) AS n FROM ${table}`);
  return Number(rows[0]?.n ?? 0);
}
