/**
 * A report as the renderers see it: sections for the PDF, sheets for the XLSX, one table for
 * the CSV and the structured data for the JSON. Each report kind builds one of these from its
 * model (kinds/); the renderers know nothing about ISO 42001.
 */

export type Cell = string | number | boolean | null;

export interface Column {
  header: string;
  /** Relative width in the PDF (default 1). */
  width?: number;
}

export interface Table {
  columns: Column[];
  rows: Cell[][];
}

/** One bar per category, stacked by series; drawn with vector primitives in the PDF. */
export interface StackedBarChart {
  title: string;
  categories: string[];
  series: { name: string; color: string; values: number[] }[];
}

export interface Section {
  heading: string;
  paragraphs?: string[];
  facts?: [string, string][];
  chart?: StackedBarChart;
  table?: Table;
}

export interface Sheet {
  name: string;
  table: Table;
}

export interface ReportStamp {
  version: number;
  generatedAt: string;
}

export interface ReportDocument {
  title: string;
  subtitle: string;
  /** Shown under the title: organisation, programme, version, generation time, ... */
  facts: [string, string][];
  sections: Section[];
  /** The first sheet is the working list. */
  sheets: Sheet[];
  csv: Table;
  /** The JSON rendition: the report's data with its identity. */
  data: unknown;
}

/** Status colours shared by every chart, so a colour means the same thing in every report. */
export const STATUS_COLOURS = {
  compliant: '#2e7d32',
  partially_compliant: '#f9a825',
  not_compliant: '#c62828',
  not_applicable: '#9e9e9e',
  not_assessed: '#e0e0e0',
  implemented: '#2e7d32',
  partially_implemented: '#f9a825',
  planned: '#1565c0',
  not_implemented: '#c62828',
  excluded: '#9e9e9e',
} as const;
