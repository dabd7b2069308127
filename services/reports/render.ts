/**
 * Renders a ReportDocument in each format: PDF (pdf.ts), XLSX with exceljs, CSV with
 * csv-stringify and canonical JSON. Every rendition of one version carries the same data.
 */
import { stringify } from 'csv-stringify/sync';
import ExcelJS from 'exceljs';
import { canonicalJson } from '../../db/canonical-json';
import type { Cell, ReportDocument, ReportStamp, Table } from './document';
import type { ReportFormat } from '../../domain/report-kinds';
import { renderPdf } from './pdf';

/**
 * Spreadsheet programs run a cell starting with = + - @ as a formula; text from users must not
 * (CSV injection). Numbers are left alone.
 */
export function neutraliseFormula(cell: Cell): Cell {
  return typeof cell === 'string' && /^[=+\-@\t\r]/.test(cell) ? `'${cell}` : cell;
}

export function renderCsv(table: Table): Buffer {
  const rows = [table.columns.map((c) => c.header), ...table.rows.map((r) => r.map(neutraliseFormula))];
  return Buffer.from(
    stringify(rows, { cast: { boolean: (b) => (b ? 'true' : 'false') }, record_delimiter: 'unix' }),
    'utf8',
  );
}

/** Excel's sheet-name rules: at most 31 characters, none of []:*?/\ */
const sheetName = (name: string) => name.replace(/[[\]:*?/\\]/g, '-').slice(0, 31);

export async function renderXlsx(report: ReportDocument, stamp: ReportStamp): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'aimsflow';
  workbook.created = new Date(stamp.generatedAt);
  workbook.modified = new Date(stamp.generatedAt);
  workbook.title = report.title;
  for (const sheet of report.sheets) {
    const ws = workbook.addWorksheet(sheetName(sheet.name), { views: [{ state: 'frozen', ySplit: 1 }] });
    ws.columns = sheet.table.columns.map((c) => ({
      header: c.header,
      width: Math.min(60, Math.max(10, Math.round((c.width ?? 1) * 14))),
    }));
    for (const row of sheet.table.rows) ws.addRow(row.map((cell) => (cell === null ? '' : cell)));
    ws.getRow(1).font = { bold: true };
    ws.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: sheet.table.columns.length } };
    ws.eachRow((row, n) => {
      if (n > 1) row.alignment = { wrapText: true, vertical: 'top' };
    });
  }
  const about = workbook.addWorksheet('About');
  about.columns = [
    { header: 'Item', width: 24 },
    { header: 'Value', width: 80 },
  ];
  for (const [label, value] of [['Report', report.title] as [string, string], ...report.facts])
    about.addRow([label, value]);
  about.getRow(1).font = { bold: true };
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

/** Canonical JSON: the same content always gives the same bytes, hence the same SHA-256. */
export function renderJson(report: ReportDocument): Buffer {
  return Buffer.from(canonicalJson(report.data), 'utf8');
}

export async function renderReport(
  report: ReportDocument,
  format: ReportFormat,
  stamp: ReportStamp,
): Promise<Buffer> {
  switch (format) {
    case 'pdf':
      return renderPdf(report, stamp);
    case 'xlsx':
      return renderXlsx(report, stamp);
    case 'csv':
      return renderCsv(report.csv);
    case 'json':
      return renderJson(report);
  }
}
