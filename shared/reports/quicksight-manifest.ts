// The QuickSight S3 manifest of one published report (docs/contracts.md §6).
import { publishedReportDatesPrefix, s3Uri } from '../lake/keys.js';

export interface QuickSightManifest {
  fileLocations: { URIPrefixes: string[] }[];
  globalUploadSettings: { format: 'CSV'; delimiter: ','; textqualifier: '"'; containsHeader: 'true' };
}

/**
 * The prefix is `reports/<report>/dt=`, not `reports/<report>/`: QuickSight needs every file under a
 * prefix to be a CSV with the same columns, and manifest.json itself lives in `reports/<report>/`.
 */
export const quickSightManifest = (bucket: string, report: string): QuickSightManifest => ({
  fileLocations: [{ URIPrefixes: [s3Uri({ bucket, key: publishedReportDatesPrefix(report) })] }],
  globalUploadSettings: { format: 'CSV', delimiter: ',', textqualifier: '"', containsHeader: 'true' },
});
