/** Rewrites the process diagram in docs/certification-cycle.md from the process model. */
import fs from 'node:fs';
import path from 'node:path';
import { withDiagram } from '../domain/diagram';
import { projectRoot } from '../infra/temporal-binaries';

const doc = path.join(projectRoot(), 'docs', 'certification-cycle.md');
fs.writeFileSync(doc, withDiagram(fs.readFileSync(doc, 'utf8')));
process.stdout.write(`updated ${doc}\n`);
