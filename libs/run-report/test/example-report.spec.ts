// The example generator: renders a report of a synthetic 15-5 run into a file, as the coordinator does.
// Set FMWISS_EXAMPLE_REPORT=<path> to keep the file and open it in a browser.
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderReport } from '../src/report';
import { syntheticReportData } from './synthetic-report';

describe('example report', () => {
  it('renders a synthetic run into a self-contained file of a sane size', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'run-report-'));
    try {
      const path = process.env.FMWISS_EXAMPLE_REPORT ?? join(dir, 'report.html');
      const data = await syntheticReportData();
      writeFileSync(path, renderReport(data));
      const size = statSync(path).size;
      const imageBytes = data.samples.flatMap((s) => s.panels).reduce((n, p) => n + p.png.length, 0);
      // base64 grows images by 4/3; the rest (tables, charts, CSS) is tens of kilobytes, not megabytes.
      expect(size).toBeGreaterThan((imageBytes * 4) / 3);
      expect(size - (imageBytes * 4) / 3).toBeGreaterThan(10_000);
      expect(size - (imageBytes * 4) / 3).toBeLessThan(300_000);
      const html = readFileSync(path, 'utf8');
      expect(html.trimEnd().endsWith('</html>')).toBe(true);
      expect(html).not.toMatch(/https?:\/\//);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
