/**
 * The approval secret signs every link. APPROVAL_SECRET sets it; otherwise (the embedded quick
 * start) one is generated into <DATA_DIR>/approval-secret, readable by the owner only, and reused
 * from there by the worker and the API alike. Creation is race-free: the API and the worker
 * start together, and whichever links its file into place first wins; the other reads it.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export const SECRET_FILE = 'approval-secret';
export const MIN_SECRET_LENGTH = 32;

function readSecret(file: string): string {
  const secret = fs.readFileSync(file, 'utf8').trim();
  if (secret.length < MIN_SECRET_LENGTH) throw new Error(`${file} holds no usable approval secret`);
  return secret;
}

export function ensureSecretFile(dataDir: string): string {
  const file = path.join(dataDir, SECRET_FILE);
  if (fs.existsSync(file)) return readSecret(file);
  fs.mkdirSync(dataDir, { recursive: true });
  const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
  fs.writeFileSync(temp, `${randomBytes(32).toString('base64url')}\n`, { mode: 0o600 });
  try {
    // link() fails if the name exists, so a concurrent creator cannot be overwritten half-way.
    fs.linkSync(temp, file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  } finally {
    fs.rmSync(temp, { force: true });
  }
  return readSecret(file);
}

export function resolveApprovalSecret(config: { approvalSecret?: string; dataDir: string }): string {
  return config.approvalSecret ?? ensureSecretFile(config.dataDir);
}
