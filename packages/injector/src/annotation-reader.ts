import type { PodAnnotations } from './annotations.js';
import { parseBool, parseDurationMs, parseQuantity, parseWholeNumber } from './values.js';

/**
 * Typed reads of the pod's annotations. A value that does not parse is recorded as a problem
 * naming the annotation as the pod spelled it, and the fallback is returned, so every problem of
 * a pod is found in one pass and refused together.
 */
export class AnnotationReader {
  readonly problems: string[] = [];
  readonly warnings: string[] = [];

  constructor(readonly annotations: PodAnnotations) {}

  /** Records a problem with an annotation: `<key>: <message>`. */
  bad(name: string, message: string): void {
    this.problems.push(`${this.annotations.keyOf(name)}: ${message}`);
  }

  /** The trimmed value; undefined when absent (or, with `emptyIsAbsent`, empty). */
  string(name: string, emptyIsAbsent = true): string | undefined {
    const value = this.annotations.value(name);
    if (value === undefined) return undefined;
    if (emptyIsAbsent && value.trim() === '') return undefined;
    return value;
  }

  bool(name: string, fallback: boolean): boolean {
    const value = this.string(name);
    if (value === undefined) return fallback;
    const parsed = parseBool(value);
    if (parsed === undefined) this.bad(name, `${JSON.stringify(value)} is not true or false`);
    return parsed ?? fallback;
  }

  /** A boolean with no fallback: undefined when absent or invalid. */
  optionalBool(name: string): boolean | undefined {
    if (this.string(name) === undefined) return undefined;
    const parsed = parseBool(this.string(name) as string);
    if (parsed === undefined) this.bad(name, `${JSON.stringify(this.string(name))} is not true or false`);
    return parsed;
  }

  id(name: string, fallback: number): number {
    const value = this.string(name);
    if (value === undefined) return fallback;
    const parsed = parseWholeNumber(value);
    if (parsed === undefined) this.bad(name, `${JSON.stringify(value)} is not a user or group ID (a whole number)`);
    return parsed ?? fallback;
  }

  duration(name: string, fallback: string | undefined): string | undefined {
    const value = this.string(name);
    if (value === undefined) return fallback;
    if (parseDurationMs(value) === undefined) this.bad(name, `${JSON.stringify(value)} is not a duration such as "30s", "5m" or "1h30m"`);
    return value.trim();
  }

  /** A resource quantity; present but empty means "none" (removes the injector's default). */
  quantity(name: string, fallback: string): string {
    const value = this.annotations.value(name);
    if (value === undefined) return fallback;
    if (value.trim() !== '' && parseQuantity(value) === undefined) {
      this.bad(name, `${JSON.stringify(value)} is not a resource quantity such as "250m", "0.5" or "64Mi"`);
      return fallback;
    }
    return value.trim();
  }

  /** A path inside the containers: absolute. */
  absolutePath(name: string, fallback: string): string {
    const value = this.string(name);
    if (value === undefined) return fallback;
    if (!value.trim().startsWith('/')) this.bad(name, `${JSON.stringify(value)} is not an absolute path`);
    return value.trim().replace(/\/+$/, '') || '/';
  }
}
