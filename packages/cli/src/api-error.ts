/**
 * An error status from the server, worded as Vault's Go client words it (the CLI prints this after
 * "Error reading secret/foo: "). Only the server's error strings are shown, never request data.
 */
export class ResponseError extends Error {
  readonly method: string;
  readonly url: string;
  readonly status: number;
  readonly errors: string[];
  /** The parsed body, for callers that look inside (a 404 that still carries data). */
  readonly body: unknown;

  constructor(method: string, url: string, status: number, text: string, body: unknown) {
    const errors = errorList(body);
    const raw = errors === undefined;
    super(
      `Error making API request.\n\nURL: ${method} ${url}\nCode: ${status}. ${raw ? 'Raw Message' : 'Errors'}:\n\n` +
        (raw ? text : errors.map((e) => `* ${e}`).join('\n')),
    );
    this.name = 'ResponseError';
    this.method = method;
    this.url = url;
    this.status = status;
    this.errors = errors ?? [];
    this.body = body;
  }
}

/** The request never got an answer: refused, reset, TLS failure, timeout. */
export class TransportError extends Error {
  constructor(method: string, url: string, cause: unknown) {
    // Go's wording: Get "https://127.0.0.1:8200/v1/sys/seal-status": <reason>
    const verb = method.charAt(0) + method.slice(1).toLowerCase();
    super(`${verb} "${url}": ${describe(cause)}`, { cause });
    this.name = 'TransportError';
  }
}

function errorList(body: unknown): string[] | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  const errors = (body as { errors?: unknown }).errors;
  if (errors === undefined || errors === null) return [];
  if (!Array.isArray(errors)) return undefined;
  return errors.map(String);
}

function describe(cause: unknown): string {
  if (!(cause instanceof Error)) return String(cause);
  const code = (cause as NodeJS.ErrnoException).code;
  return code && !cause.message.includes(code) ? `${cause.message} (${code})` : cause.message;
}
