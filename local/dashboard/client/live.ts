// Live under the dev server: the page polls reports/index.json; a newer `updatedAt` than the page's
// means data.json is (or is about to be) rewritten with the same data as a fresh page would embed.
import type { DashboardData } from './model.js';

/** The newer data, or null when nothing was republished (or data.json is not rewritten yet). */
export async function newerData(current: DashboardData): Promise<DashboardData | null> {
  try {
    const index = (await (await fetch('index.json', { cache: 'no-store' })).json()) as { updatedAt: string | null };
    if (index.updatedAt === current.indexUpdatedAt) return null;
    const next = (await (await fetch('data.json', { cache: 'no-store' })).json()) as DashboardData;
    const changed = next.indexUpdatedAt !== current.indexUpdatedAt || next.generatedAt !== current.generatedAt;
    return changed ? next : null;
  } catch {
    // The server is restarting or the files are being rewritten: the next poll tries again.
    return null;
  }
}
