/**
 * The value syntaxes annotations and settings use. Each parser returns undefined for a value it
 * does not accept, so the caller can name the annotation in its message.
 */

const TRUE = new Set(['1', 't', 'true', 'y', 'yes', 'on']);
const FALSE = new Set(['0', 'f', 'false', 'n', 'no', 'off']);

/** A boolean as vault-k8s reads one (Go's strconv.ParseBool plus yes/no/on/off), any case. */
export function parseBool(value: string): boolean | undefined {
  const text = value.trim().toLowerCase();
  if (TRUE.has(text)) return true;
  if (FALSE.has(text)) return false;
  return undefined;
}

/** A non-negative whole number (user and group IDs). */
export function parseWholeNumber(value: string): number | undefined {
  const text = value.trim();
  if (!/^\d{1,10}$/.test(text)) return undefined;
  const n = Number(text);
  return n <= 2 ** 31 - 1 ? n : undefined;
}

/** File permission bits written in octal, as the agent's `perms` takes them: "0640", "600". */
export function parseFileMode(value: string): string | undefined {
  const text = value.trim();
  if (!/^0?[0-7]{3,4}$/.test(text)) return undefined;
  return text.length === 3 ? `0${text}` : text;
}

const DURATION_UNITS_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** A Go duration ("30s", "1m30s", "250ms") or a number of seconds; milliseconds out. */
export function parseDurationMs(value: string): number | undefined {
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const part = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/y;
  let total = 0;
  let at = 0;
  if (text === '') return undefined;
  while (at < text.length) {
    part.lastIndex = at;
    const match = part.exec(text);
    if (!match) return undefined;
    total += Number(match[1]) * (DURATION_UNITS_MS[match[2] as string] as number);
    at = part.lastIndex;
  }
  return total;
}

const BINARY_SUFFIX: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DECIMAL_SUFFIX: Record<string, number> = { n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };
const QUANTITY = /^(\d+(?:\.\d*)?|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?\d+)?$/;

/**
 * A Kubernetes resource quantity ("250m", "64Mi", "1.5", "1e3"), as its value in base units;
 * undefined when the API server would refuse it (so the pod is refused here, naming the annotation,
 * instead of by the API server with a message about a container the user never wrote).
 */
export function parseQuantity(value: string): number | undefined {
  const match = QUANTITY.exec(value.trim());
  if (!match) return undefined;
  const number = Number(match[1]);
  const suffix = match[2] ?? '';
  if (suffix in BINARY_SUFFIX) return number * (BINARY_SUFFIX[suffix] as number);
  if (suffix in DECIMAL_SUFFIX) return number * (DECIMAL_SUFFIX[suffix] as number);
  return number * 10 ** Number(suffix.slice(1));
}

/** "v1.30.2", "1.29", "1.28+" → [1, 30]; undefined when it is not a version. */
export function parseKubernetesVersion(value: string): [number, number] | undefined {
  const match = /^v?(\d+)\.(\d+)/.exec(value.trim());
  return match ? [Number(match[1]), Number(match[2])] : undefined;
}
