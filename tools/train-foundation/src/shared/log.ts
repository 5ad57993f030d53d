// Progress lines on stderr, prefixed by the tool's name; stdout stays free for results.

export type Log = (message: string) => void;

export function stderrLog(prefix: string): Log {
  return (message: string) => process.stderr.write(`[${prefix}] ${message}\n`);
}

/** 3725 -> "1h02m05s", 65 -> "1m05s", 4.2 -> "4.2s". */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  if (seconds < 60) return `${seconds.toFixed(1)}s`;
  const total = Math.round(seconds);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const mm = String(m).padStart(h > 0 ? 2 : 1, '0');
  return `${h > 0 ? `${h}h` : ''}${mm}m${String(s).padStart(2, '0')}s`;
}
