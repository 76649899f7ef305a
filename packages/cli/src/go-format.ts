/**
 * Vault prints values with Go's `%v` and durations with Go's `time.Duration`; these reproduce
 * that text so table output reads as `vault`'s does (`map[a:1]`, `[x y]`, `<nil>`, `768h`).
 */

export function goValue(value: unknown): string {
  if (value === null || value === undefined) return '<nil>';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (Array.isArray(value)) return `[${value.map(goValue).join(' ')}]`;
  if (typeof value === 'object') {
    const entries = Object.keys(value as object)
      .sort()
      .map((key) => `${key}:${goValue((value as Record<string, unknown>)[key])}`);
    return `map[${entries.join(' ')}]`;
  }
  return String(value);
}

/** `%q` of a `[]string`: `["default" "root"]`; nil prints `[]`. */
export function goQuotedList(values: readonly string[] | null | undefined): string {
  return `[${(values ?? []).map((v) => JSON.stringify(v)).join(' ')}]`;
}

/** A whole number of seconds as Go's Duration.String(), minus the trailing zero units Vault trims. */
export function humanDuration(seconds: number): string {
  if (seconds === 0) return '0s';
  const sign = seconds < 0 ? '-' : '';
  const total = Math.abs(Math.trunc(seconds));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const secs = total % 60;
  let text: string;
  if (hours > 0) text = `${hours}h${minutes}m${secs}s`;
  else if (minutes > 0) text = `${minutes}m${secs}s`;
  else text = `${secs}s`;
  if (text.endsWith('m0s')) text = text.slice(0, -2);
  text = text.replace(/h0m$/, 'h');
  return sign + text;
}

/** Vault's rule for which keys hold a number of seconds worth showing as a duration. */
export function looksLikeDuration(key: string): boolean {
  return (
    key === 'period' ||
    key.endsWith('_period') ||
    key === 'ttl' ||
    key.endsWith('_ttl') ||
    key === 'duration' ||
    key.endsWith('_duration') ||
    key === 'lease_max' ||
    key === 'ttl_max'
  );
}

/** A table cell: durations humanised for duration-looking keys holding integers. */
export function cellValue(key: string, value: unknown): string {
  if (looksLikeDuration(key) && typeof value === 'number' && Number.isInteger(value)) return humanDuration(value);
  return goValue(value);
}

/** Vault wraps prose at 78 columns (after `pad` spaces of indent). */
export function wrapAtLength(text: string, pad = 0): string {
  const width = 78 - pad;
  const lines: string[] = [];
  for (const paragraph of text.split('\n')) {
    let line = '';
    for (const word of paragraph.split(' ')) {
      if (line !== '' && line.length + 1 + word.length > width) {
        lines.push(line);
        line = word;
      } else {
        line = line === '' ? word : `${line} ${word}`;
      }
    }
    lines.push(line);
  }
  return lines.map((l) => ' '.repeat(pad) + l).join('\n');
}
