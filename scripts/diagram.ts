/** Rewrites the README's process diagram from the process model. */
import fs from 'node:fs';
import path from 'node:path';
import { withDiagram } from '../domain/diagram';
import { projectRoot } from '../infra/temporal-binaries';

const readme = path.join(projectRoot(), 'README.md');
fs.writeFileSync(readme, withDiagram(fs.readFileSync(readme, 'utf8')));
process.stdout.write(`updated ${readme}\n`);
