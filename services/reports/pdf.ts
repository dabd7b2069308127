/**
 * PDF rendition with pdfkit: title block, sections with paragraphs and facts, tables that wrap
 * and repeat their header across pages, and stacked bar charts drawn with vector primitives
 * (no image, so the labels stay text that a reader or a test can extract).
 */
import PDFDocument from 'pdfkit';
import type { ReportDocument, Section, StackedBarChart, Table } from './document';

const MARGIN = 36;
const FONT = 'Helvetica';
const BOLD = 'Helvetica-Bold';

type Doc = PDFKit.PDFDocument;

/**
 * The standard PDF fonts cover WinAnsi only: typographic characters are spelled out and anything
 * else becomes '?', rather than an invisible glyph.
 */
export function pdfSafe(text: string): string {
  return text
    .replace(/[\u2018\u2019]/g, "'")
    .replace(/[\u201c\u201d]/g, '"')
    .replace(/[\u2013\u2014]/g, '-')
    .replace(/\u2026/g, '...')
    .replace(/\u2022/g, '-')
    .replace(/\u2265/g, '>=')
    .replace(/\u2264/g, '<=')
    .replace(/\u00d7/g, 'x')
    .replace(/[^\n\t\x20-\x7e\xa0-\xff]/g, '?');
}

const bottom = (doc: Doc) => doc.page.height - MARGIN - 14;
const width = (doc: Doc) => doc.page.width - 2 * MARGIN;

function ensureSpace(doc: Doc, height: number): void {
  if (doc.y + height > bottom(doc)) doc.addPage();
}

function heading(doc: Doc, text: string): void {
  ensureSpace(doc, 40);
  doc.moveDown(0.6).font(BOLD).fontSize(12).fillColor('#1a237e').text(pdfSafe(text), MARGIN, doc.y);
  doc.moveDown(0.3).fillColor('black');
}

function facts(doc: Doc, items: [string, string][]): void {
  const labelWidth = 150;
  for (const [label, value] of items) {
    const text = pdfSafe(value);
    doc.font(FONT).fontSize(9);
    const h = Math.max(doc.heightOfString(text, { width: width(doc) - labelWidth }), 11);
    ensureSpace(doc, h);
    const y = doc.y;
    doc.font(BOLD).text(pdfSafe(label), MARGIN, y, { width: labelWidth - 8 });
    doc.font(FONT).text(text, MARGIN + labelWidth, y, { width: width(doc) - labelWidth });
    doc.y = y + h + 2;
  }
}

function paragraphs(doc: Doc, items: string[]): void {
  doc.font(FONT).fontSize(9);
  for (const p of items) {
    const text = pdfSafe(p);
    ensureSpace(doc, doc.heightOfString(text, { width: width(doc) }));
    doc.text(text, MARGIN, doc.y, { width: width(doc) });
    doc.moveDown(0.25);
  }
}

function chart(doc: Doc, c: StackedBarChart): void {
  const height = 170;
  ensureSpace(doc, height + 70);
  doc.font(BOLD).fontSize(10).text(pdfSafe(c.title), MARGIN, doc.y);
  const top = doc.y + 8;
  const left = MARGIN + 30;
  const plotWidth = Math.min(width(doc) - 200, 60 * c.categories.length + 40);
  const totals = c.categories.map((_, i) => c.series.reduce((sum, s) => sum + (s.values[i] ?? 0), 0));
  const max = Math.max(1, ...totals);
  const scale = height / max;
  // Axis and gridlines.
  doc.lineWidth(0.5).strokeColor('#999999');
  doc
    .moveTo(left, top)
    .lineTo(left, top + height)
    .lineTo(left + plotWidth, top + height)
    .stroke();
  doc.font(FONT).fontSize(7).fillColor('#555555');
  for (const tick of [0, Math.ceil(max / 2), max]) {
    const y = top + height - tick * scale;
    doc.text(String(tick), MARGIN, y - 3, { width: 24, align: 'right' });
  }
  const slot = plotWidth / c.categories.length;
  const barWidth = Math.min(36, slot * 0.6);
  c.categories.forEach((category, i) => {
    const x = left + i * slot + (slot - barWidth) / 2;
    let y = top + height;
    for (const s of c.series) {
      const value = s.values[i] ?? 0;
      if (value <= 0) continue;
      const h = value * scale;
      y -= h;
      doc.rect(x, y, barWidth, h).fill(s.color);
    }
    doc.fillColor('black').font(FONT).fontSize(7);
    doc.text(String(totals[i]), x - 4, y - 10, { width: barWidth + 8, align: 'center' });
    doc.text(pdfSafe(category), x - 8, top + height + 4, { width: barWidth + 16, align: 'center' });
  });
  // Legend: one swatch and name per series.
  const legendX = left + plotWidth + 24;
  c.series.forEach((s, i) => {
    const y = top + 10 + i * 14;
    doc.rect(legendX, y, 9, 9).fill(s.color);
    doc
      .fillColor('black')
      .font(FONT)
      .fontSize(8)
      .text(pdfSafe(s.name), legendX + 14, y, { width: 140 });
  });
  doc.y = top + height + 20;
  doc.x = MARGIN;
}

function table(doc: Doc, t: Table): void {
  const total = t.columns.reduce((sum, c) => sum + (c.width ?? 1), 0);
  const widths = t.columns.map((c) => ((c.width ?? 1) / total) * width(doc));
  const pad = 2;
  const rowHeight = (cells: string[], font: string) => {
    doc.font(font).fontSize(7);
    return (
      Math.max(...cells.map((text, i) => doc.heightOfString(text, { width: widths[i] - 2 * pad }))) + 2 * pad
    );
  };
  const drawRow = (cells: string[], font: string, fill?: string) => {
    const h = rowHeight(cells, font);
    const y = doc.y;
    if (fill) doc.rect(MARGIN, y, width(doc), h).fill(fill);
    doc.fillColor('black').font(font).fontSize(7);
    let x = MARGIN;
    cells.forEach((text, i) => {
      doc.text(text, x + pad, y + pad, { width: widths[i] - 2 * pad });
      x += widths[i];
    });
    doc.y = y + h;
  };
  const header = t.columns.map((c) => pdfSafe(c.header));
  ensureSpace(doc, rowHeight(header, BOLD) * 2);
  drawRow(header, BOLD, '#e8eaf6');
  t.rows.forEach((row, r) => {
    const cells = row.map((cell) => pdfSafe(cell === null ? '' : String(cell)));
    if (doc.y + rowHeight(cells, FONT) > bottom(doc)) {
      doc.addPage();
      drawRow(header, BOLD, '#e8eaf6');
    }
    drawRow(cells, FONT, r % 2 === 1 ? '#f5f5f5' : undefined);
  });
  doc.x = MARGIN;
  doc.moveDown(0.5);
}

function section(doc: Doc, s: Section): void {
  heading(doc, s.heading);
  if (s.paragraphs) paragraphs(doc, s.paragraphs);
  if (s.facts) facts(doc, s.facts);
  if (s.chart) chart(doc, s.chart);
  if (s.table) table(doc, s.table);
}

export function renderPdf(
  report: ReportDocument,
  meta: { generatedAt: string; version: number },
): Promise<Buffer> {
  const doc = new PDFDocument({
    size: 'A4',
    layout: 'landscape',
    margin: MARGIN,
    bufferPages: true,
    info: {
      Title: pdfSafe(`${report.title}: ${report.subtitle}`),
      Author: 'aimsflow',
      Subject: `Version ${meta.version}`,
      CreationDate: new Date(meta.generatedAt),
      ModDate: new Date(meta.generatedAt),
    },
  });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  doc.font(BOLD).fontSize(18).text(pdfSafe(report.title), MARGIN, MARGIN);
  doc.font(FONT).fontSize(11).fillColor('#444444').text(pdfSafe(report.subtitle));
  doc.fillColor('black').moveDown(0.5);
  facts(doc, report.facts);
  for (const s of report.sections) section(doc, s);

  const range = doc.bufferedPageRange();
  for (let i = 0; i < range.count; i++) {
    doc.switchToPage(range.start + i);
    // The footer sits in the bottom margin; without this pdfkit would start a new page for it.
    doc.page.margins.bottom = 0;
    doc
      .font(FONT)
      .fontSize(7)
      .fillColor('#777777')
      .text(
        pdfSafe(`${report.title}, version ${meta.version}. Page ${i + 1} of ${range.count}`),
        MARGIN,
        doc.page.height - MARGIN,
        { width: width(doc), align: 'center', lineBreak: false },
      );
  }
  doc.end();
  return done;
}
