/**
 * Maps items with at most `concurrency` calls in flight and returns the results in the items'
 * order: file reads overlap, while findings and checkpoints keep the listing order.
 * Our own rather than p-map: p-map is ESM-only and this project compiles to CommonJS.
 */
export async function mapInOrder<T, R>(
  items: readonly T[],
  concurrency: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return results;
}
