/**
 * A one-line progress bar on stderr for long CLI work (training, builds, imports).
 * On a non-TTY stderr (CI logs) it prints a plain line at most every few seconds instead of redrawing.
 */
export class ProgressBar {
  private readonly started = Date.now();
  private lastPlain = 0;

  constructor(
    private readonly label: string,
    private readonly total: number,
    private readonly stream: NodeJS.WriteStream = process.stderr,
  ) {}

  update(done: number, detail = ''): void {
    const fraction = this.total > 0 ? Math.min(1, done / this.total) : 0;
    const elapsed = (Date.now() - this.started) / 1000;
    const left = fraction > 0 ? (elapsed / fraction) * (1 - fraction) : NaN;
    const eta = Number.isFinite(left) ? ` ~${formatSeconds(left)} left` : '';
    const width = 24;
    const filled = Math.round(fraction * width);
    const bar = '█'.repeat(filled) + '░'.repeat(width - filled);
    const line = `${this.label} ${bar} ${done}/${this.total}${detail ? ' ' + detail : ''}${eta}`;
    if (this.stream.isTTY) {
      this.stream.write(`\r\x1b[2K${line}`);
    } else if (Date.now() - this.lastPlain > 5000 || done >= this.total) {
      this.lastPlain = Date.now();
      this.stream.write(line + '\n');
    }
  }

  finish(detail = ''): void {
    this.update(this.total, detail);
    if (this.stream.isTTY) this.stream.write('\n');
  }
}

export function formatSeconds(s: number): string {
  if (s < 60) return `${Math.round(s)}s`;
  const m = Math.floor(s / 60);
  return `${m}m${String(Math.round(s % 60)).padStart(2, '0')}s`;
}
