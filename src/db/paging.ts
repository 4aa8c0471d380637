/**
 * One way to answer a list page, shared by every service: the total from a counter (no scan),
 * the rows from an index range, and no row query at all when the page is past the end.
 */
export interface Page {
  /** rows to skip (0-based) */
  offset: number;
  limit: number;
}

/**
 * Lists whose Huawei operation has no paging (ListSnapshots, ListClusterMasterSnapshotTasks) or whose
 * limit is optional (ListClusterSnapshots) answer at most this many items per call, newest first;
 * their count/total is always the full number, and logsnap's optional `limit`/`offset` reach the rest.
 */
export const MAX_PAGE = 1000;

export async function paged<T>(total: number | Promise<number>, page: Page, rows: () => Promise<T[]>): Promise<{ total: number; rows: T[] }> {
  const n = await total;
  if (n === 0 || page.offset >= n || page.limit <= 0) return { total: n, rows: [] };
  return { total: n, rows: await rows() };
}
