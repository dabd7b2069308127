import fs from 'node:fs';
import path from 'node:path';
import { withDiagram } from '../../domain/diagram';

const root = path.join(__dirname, '..', '..');
const docsDir = path.join(root, 'docs');
const README_MAX_BYTES = 12288;

/** README.md and every Markdown file in docs/, as absolute paths. */
function markdownFiles(): string[] {
  const docs = fs
    .readdirSync(docsDir)
    .filter((name) => name.endsWith('.md'))
    .sort()
    .map((name) => path.join(docsDir, name));
  return [path.join(root, 'README.md'), ...docs];
}

/** The targets of the inline links and images of a Markdown text, outside code. */
function linkTargets(markdown: string): string[] {
  const prose = markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '').replace(/`[^`\n]*`/g, '');
  const targets: string[] = [];
  for (const match of prose.matchAll(/!?\[[^\]]*\]\(\s*(<[^>]*>|[^)\s]+)[^)]*\)/g)) {
    targets.push(match[1].replace(/^<|>$/g, ''));
  }
  for (const match of prose.matchAll(/^\s{0,3}\[[^\]]+\]:\s*(<[^>]*>|\S+)/gm)) {
    targets.push(match[1].replace(/^<|>$/g, ''));
  }
  return targets;
}

test('the certification cycle page draws the current process model (run `npm run diagram` after changing it)', () => {
  const doc = fs.readFileSync(path.join(docsDir, 'certification-cycle.md'), 'utf8');
  expect(withDiagram(doc)).toBe(doc);
});

test(`the README is a front page of at most ${README_MAX_BYTES} bytes (the manual is in docs/)`, () => {
  expect(fs.statSync(path.join(root, 'README.md')).size).toBeLessThanOrEqual(README_MAX_BYTES);
});

test('every relative link in the README and in docs/ points to a file that exists', () => {
  const broken: string[] = [];
  let checked = 0;
  for (const file of markdownFiles()) {
    for (const target of linkTargets(fs.readFileSync(file, 'utf8'))) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('#')) continue; // http(s), mailto, anchors
      const relative = decodeURI(target.split('#')[0]);
      checked++;
      if (!fs.existsSync(path.resolve(path.dirname(file), relative))) {
        broken.push(`${path.relative(root, file)}: ${target}`);
      }
    }
  }
  expect(broken).toEqual([]);
  expect(checked).toBeGreaterThan(0);
});
