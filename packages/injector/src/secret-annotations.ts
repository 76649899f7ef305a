import { posix } from 'node:path';
import type { AnnotationReader } from './annotation-reader.js';
import { parseBool, parseFileMode } from './values.js';

/** vault-k8s's default templates; `%s` is the secret path. */
export const DEFAULT_TEMPLATES = {
  map: '{{ with secret "%s" }}{{ range $k, $v := .Data }}{{ $k }}: {{ $v }}\n{{ end }}{{ end }}',
  json: '{{ with secret "%s" }}{{ .Data | toJSON }}\n{{ end }}',
} as const;

/** One file the agent renders. */
export interface SecretFile {
  /** NAME as written in the annotations. */
  rawName: string;
  path: string | undefined;
  /** Template text (`contents`), or undefined with `templateFile`. */
  contents: string | undefined;
  /** A template file inside the agent container (`source`). */
  templateFile: string | undefined;
  /** The directory the file lives in: the secrets volume or a per-secret one. */
  mountPath: string;
  destination: string;
  command: string | undefined;
  perms: string | undefined;
  leftDelimiter: string;
  rightDelimiter: string;
  errorOnMissingKey: boolean;
}

/** Annotation families that declare a file; `-template-file-` before `-template-`, as vault-k8s matches them. */
const DECLARING = ['agent-inject-secret-', 'agent-inject-template-file-', 'agent-inject-template-'];

/** Annotation families keyed by NAME (besides the declaring ones); the rest are unknown. */
export const PER_SECRET = [
  ...DECLARING,
  'agent-inject-file-',
  'agent-inject-perms-',
  'agent-inject-command-',
  'agent-template-left-delim-',
  'agent-template-right-delim-',
  'error-on-missing-key-',
  'secret-volume-path-',
  'preserve-secret-case-',
];

/**
 * The files the pod asks for (`agent-inject-secret-NAME`, `agent-inject-template-NAME`,
 * `agent-inject-template-file-NAME`, each with its `-file-`, `-perms-`, `-command-`, delimiter,
 * `error-on-missing-key-`, `secret-volume-path-` and `preserve-secret-case-` companions). NAME is
 * lower-cased unless preserve-secret-case says otherwise, as in vault-k8s.
 */
export function readSecretFiles(reader: AnnotationReader, secretVolumePath: string, defaultTemplate: 'map' | 'json'): SecretFile[] {
  const names: string[] = [];
  for (const annotation of reader.annotations.names().sort()) {
    if (reader.string(annotation) === undefined) continue;
    const family = DECLARING.find((prefix) => annotation.startsWith(prefix));
    const rawName = family ? annotation.slice(family.length) : '';
    if (rawName !== '' && !names.includes(rawName)) names.push(rawName);
  }

  const files: SecretFile[] = [];
  const destinations = new Map<string, string>();
  for (const rawName of names) {
    const value = (family: string) => reader.string(`${family}${rawName}`, false);
    const preserveCase = reader.string(`preserve-secret-case-${rawName}`) ?? reader.string('preserve-secret-case');
    const keepCase = preserveCase !== undefined && parseBool(preserveCase) === true;
    if (preserveCase !== undefined && parseBool(preserveCase) === undefined) {
      reader.bad(reader.annotations.has(`preserve-secret-case-${rawName}`) ? `preserve-secret-case-${rawName}` : 'preserve-secret-case', `${JSON.stringify(preserveCase)} is not true or false`);
    }
    const name = keepCase ? rawName : rawName.toLowerCase();
    const path = value('agent-inject-secret-')?.trim() || undefined;
    const template = value('agent-inject-template-');
    const templateFile = template?.trim() ? undefined : value('agent-inject-template-file-')?.trim() || undefined;
    let contents: string | undefined = template?.trim() ? template : undefined;
    if (contents === undefined && templateFile === undefined) {
      if (path === undefined) {
        reader.bad(`agent-inject-template-${rawName}`, 'is empty and there is no agent-inject-secret-' + rawName + ' to render with the default template');
        continue;
      }
      contents = DEFAULT_TEMPLATES[defaultTemplate].replace('%s', path);
    }
    const mountPath = reader.absolutePath(`secret-volume-path-${rawName}`, secretVolumePath);
    const fileAnnotation = `agent-inject-file-${rawName}`;
    const fileName = reader.string(fileAnnotation);
    let destination = posix.join(mountPath, name);
    if (fileName !== undefined) {
      destination = posix.join(mountPath, fileName.trim());
      // A file outside its volume would be written in the agent container only, where the app never sees it.
      if (!destination.startsWith(`${mountPath}/`)) reader.bad(fileAnnotation, `${JSON.stringify(fileName)} leaves the secrets directory ${mountPath}`);
    }
    const permsAnnotation = `agent-inject-perms-${rawName}`;
    const permsText = reader.string(permsAnnotation);
    const perms = permsText === undefined ? undefined : parseFileMode(permsText);
    if (permsText !== undefined && perms === undefined) reader.bad(permsAnnotation, `${JSON.stringify(permsText)} is not an octal file mode such as "0640"`);
    const seenAt = destinations.get(destination);
    if (seenAt !== undefined) {
      reader.bad(fileAnnotation, `${destination} is also where secret ${JSON.stringify(seenAt)} is written`);
    }
    destinations.set(destination, rawName);
    files.push({
      rawName,
      path,
      contents,
      templateFile,
      mountPath,
      destination,
      command: reader.string(`agent-inject-command-${rawName}`),
      perms,
      leftDelimiter: reader.string(`agent-template-left-delim-${rawName}`) ?? '{{',
      rightDelimiter: reader.string(`agent-template-right-delim-${rawName}`) ?? '}}',
      errorOnMissingKey: reader.bool(`error-on-missing-key-${rawName}`, false),
    });
  }
  return files;
}
