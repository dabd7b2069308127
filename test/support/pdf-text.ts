/**
 * Text of a PDF, extracted with pdf-parse in a plain Node process: pdf.js sets up its worker
 * with a dynamic import, which Jest's module system refuses, so the extraction runs outside it.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';

const EXTRACT = `
const { PDFParse } = require('pdf-parse');
const chunks = [];
process.stdin.on('data', (c) => chunks.push(c));
process.stdin.on('end', async () => {
  const parser = new PDFParse({ data: new Uint8Array(Buffer.concat(chunks)) });
  try {
    const result = await parser.getText();
    process.stdout.write(JSON.stringify({ text: result.text, pages: result.total }));
  } finally {
    await parser.destroy();
  }
});
`;

export function pdfText(pdf: Buffer): Promise<{ text: string; pages: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', EXTRACT], { cwd: path.resolve(__dirname, '../..') });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`pdf-parse exited with ${code}: ${err}`));
      else resolve(JSON.parse(out) as { text: string; pages: number });
    });
    child.stdin.end(pdf);
  });
}
