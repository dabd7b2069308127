/** One benchmark figure, printed as a row of the `npm run bench` table and of BENCHMARKS.md. */
export type BenchResult = {
  name: string;
  value: number;
  unit: string;
  baseline?: number;
  ratio?: number;
  goal?: string;
  pass?: boolean;
};
