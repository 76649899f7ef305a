/**
 * Timestamps as Go prints and parses them: Vault stamps entries with `RFC3339Nano` (nanoseconds,
 * trailing zeros trimmed) and leaves strings that parse as RFC 3339 timestamps unhashed.
 */

const NS_PER_MS = 1_000_000n;

/** Epoch nanoseconds → `2026-01-02T03:04:05.123456789Z`, trailing zeros and a bare dot trimmed as Go does. */
export function formatRfc3339Nano(epochNs: bigint): string {
  const ms = epochNs / NS_PER_MS;
  const seconds = new Date(Number(ms)).toISOString().slice(0, 19);
  const fraction = String(((epochNs % 1_000_000_000n) + 1_000_000_000n) % 1_000_000_000n)
    .padStart(9, '0')
    .replace(/0+$/, '');
  return fraction === '' ? `${seconds}Z` : `${seconds}.${fraction}Z`;
}

/** A Date → RFC 3339 with whole seconds (Go's `time.RFC3339`), in UTC. */
export function formatRfc3339(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}

/** A Date (millisecond precision) → RFC3339Nano. */
export function formatDateNano(date: Date): string {
  return formatRfc3339Nano(BigInt(date.getTime()) * NS_PER_MS);
}

/**
 * A wall clock with nanosecond resolution: Date.now() has only milliseconds, so the monotonic
 * clock supplies the digits below, re-anchored whenever the two drift apart by a millisecond
 * (NTP steps), so the stamp never strays from the wall clock.
 */
export function createNanoClock(): () => bigint {
  let wallBase = BigInt(Date.now()) * NS_PER_MS;
  let monoBase = process.hrtime.bigint();
  return () => {
    const mono = process.hrtime.bigint();
    const wall = BigInt(Date.now()) * NS_PER_MS;
    const now = wallBase + (mono - monoBase);
    if (now < wall || now >= wall + NS_PER_MS) {
      wallBase = wall;
      monoBase = mono;
      return wall;
    }
    return now;
  };
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(?:Z|([+-])(\d{2}):(\d{2}))$/;
const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Whether Go's `time.Time.UnmarshalText` would accept the string (strict RFC 3339, ranges checked). */
export function isRfc3339Timestamp(value: string): boolean {
  if (value.length < 20 || value.length > 64) return false;
  const m = RFC3339.exec(value);
  if (!m) return false;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return false;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const maxDay = month === 2 && !leap ? 28 : (DAYS_IN_MONTH[month - 1] as number);
  if (day > maxDay) return false;
  if (m[7] !== undefined && (Number(m[8]) > 23 || Number(m[9]) > 59)) return false;
  return true;
}
