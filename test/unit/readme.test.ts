import fs from 'node:fs';
import path from 'node:path';
import { withDiagram } from '../../domain/diagram';

test('the README draws the current process model (run `npm run diagram` after changing it)', () => {
  const readme = fs.readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');
  expect(withDiagram(readme)).toBe(readme);
});
