/**
 * Content-addressed file storage: a file lives at <root>/<aa>/<bb>/<sha256>. The same bytes are
 * stored once, and an upload can never overwrite anything (the name is the content's hash).
 */
import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';

export interface StoredContent {
  sha256: string;
  size: number;
  /** False when identical bytes were already stored. */
  created: boolean;
}

export class ContentStore {
  constructor(readonly root: string) {}

  private pathOf(sha256: string): string {
    if (!/^[0-9a-f]{64}$/.test(sha256)) throw new Error(`not a sha256: ${sha256}`);
    return path.join(this.root, sha256.slice(0, 2), sha256.slice(2, 4), sha256);
  }

  async put(data: Buffer): Promise<StoredContent> {
    const sha256 = createHash('sha256').update(data).digest('hex');
    const target = this.pathOf(sha256);
    await fs.mkdir(path.dirname(target), { recursive: true });
    const temp = path.join(path.dirname(target), `.${randomUUID()}.tmp`);
    await fs.writeFile(temp, data, { flag: 'wx', mode: 0o640 });
    try {
      // link() fails if the target exists, so concurrent uploads of the same bytes cannot clash.
      await fs.link(temp, target);
      return { sha256, size: data.length, created: true };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      return { sha256, size: data.length, created: false };
    } finally {
      await fs.rm(temp, { force: true });
    }
  }

  read(sha256: string): Promise<Buffer> {
    return fs.readFile(this.pathOf(sha256));
  }
}
