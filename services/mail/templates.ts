/**
 * Templates in files, rendered with Handlebars. A template set is a folder; a mail template is
 * three files (`<name>.subject.hbs`, `<name>.text.hbs`, `<name>.html.hbs`), a page one
 * (`<name>.html.hbs`). HTML is escaped by Handlebars; text and subjects are not (they are not
 * HTML), and subjects are flattened to one line.
 *
 * Templates are not TypeScript, so tsc leaves them out of dist/: `npm run build` copies them
 * there (scripts/copy-assets.ts), and compiled code finds them beside its own folder or, failing
 * that, in the same folder of the source tree.
 */
import fs from 'node:fs';
import path from 'node:path';
import Handlebars from 'handlebars';

type Render = (data: object) => string;

/**
 * The `templates` folder beside the calling module (`moduleDir` is its __dirname); for code
 * compiled into dist/ without its copy, the same folder of the source tree.
 */
export function resolveTemplateDir(moduleDir: string): string {
  const sourceDir = moduleDir.replace(`${path.sep}dist${path.sep}`, path.sep);
  const candidates = [path.join(moduleDir, 'templates'), path.join(sourceDir, 'templates')];
  const found = candidates.find((dir) => fs.existsSync(dir));
  if (!found) throw new Error(`templates not found; looked in ${candidates.join(', ')}`);
  return found;
}

export class TemplateSet {
  private readonly hbs = Handlebars.create();
  private readonly cache = new Map<string, Render>();

  constructor(readonly dir: string) {
    for (const file of fs.readdirSync(dir)) {
      // `_name.html.hbs` files are partials, e.g. the shared layout: {{#> _layout}}…{{/_layout}}.
      const partial = /^(_[a-z0-9-]+)\.html\.hbs$/.exec(file);
      if (partial) this.hbs.registerPartial(partial[1], fs.readFileSync(path.join(dir, file), 'utf8'));
    }
    this.hbs.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  }

  private template(file: string, escape: boolean): Render {
    const key = `${file}:${escape}`;
    let render = this.cache.get(key);
    if (!render) {
      const source = fs.readFileSync(path.join(this.dir, file), 'utf8');
      const compiled = this.hbs.compile<object>(source, { noEscape: !escape });
      render = (data) => compiled(data);
      this.cache.set(key, render);
    }
    return render;
  }

  has(name: string, part: 'subject' | 'text' | 'html'): boolean {
    return fs.existsSync(path.join(this.dir, `${name}.${part}.hbs`));
  }

  html(name: string, data: object): string {
    return this.template(`${name}.html.hbs`, true)(data);
  }

  text(name: string, data: object): string {
    return this.template(`${name}.text.hbs`, false)(data);
  }

  subject(name: string, data: object): string {
    return this.template(`${name}.subject.hbs`, false)(data).replace(/\s+/g, ' ').trim();
  }

  mail(name: string, data: object): { subject: string; text: string; html: string } {
    return { subject: this.subject(name, data), text: this.text(name, data), html: this.html(name, data) };
  }
}

let mailTemplates: TemplateSet | undefined;

/** The mail templates of services/mail/templates (loaded once per process). */
export function mailTemplateSet(): TemplateSet {
  return (mailTemplates ??= new TemplateSet(resolveTemplateDir(__dirname)));
}
