import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { checkCustomResource } from './custom-resources.js';
import { kindTypingsFile, unknownKeys } from './model-typings.js';

/** One YAML document of a file under deploy/. */
export interface Manifest {
  /** Relative to the deploy/ folder, and the document's position: `kubernetes/coffer/services.yaml#2`. */
  where: string;
  object: Record<string, unknown>;
}

/** Every YAML document of every .yaml/.yml file under `dir`; YAML errors are reported as problems. */
export function loadManifests(dir: string): { manifests: Manifest[]; problems: string[] } {
  const manifests: Manifest[] = [];
  const problems: string[] = [];
  for (const file of yamlFiles(dir)) {
    const name = relative(dir, file);
    parseAllDocuments(readFileSync(file, 'utf8')).forEach((doc, index) => {
      for (const error of doc.errors) problems.push(`${name}#${index + 1}: ${error.message}`);
      const object = doc.toJS() as unknown;
      if (object === null || object === undefined) return; // an empty document (a trailing ---)
      if (typeof object !== 'object' || Array.isArray(object)) problems.push(`${name}#${index + 1}: not a Kubernetes object`);
      else manifests.push({ where: `${name}#${index + 1}`, object: object as Record<string, unknown> });
    });
  }
  return { manifests, problems };
}

function yamlFiles(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((entry) => {
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) return entry === 'node_modules' ? [] : yamlFiles(path);
      return /\.ya?ml$/.test(entry) ? [path] : [];
    });
}

type ModelClass = new (data: unknown) => { validate(): void };

/**
 * Validates one object: built-in kinds with kubernetes-models (types, enums, required fields) plus
 * the unknown-key check from its typings; the custom resources we ship with our own schemas.
 * Anything else is a problem: an object nothing can check does not belong in deploy/.
 */
export async function validateManifest(object: Record<string, unknown>): Promise<string[]> {
  const apiVersion = object['apiVersion'];
  const kind = object['kind'];
  if (typeof apiVersion !== 'string' || typeof kind !== 'string') return ['apiVersion and kind are required'];
  const custom = checkCustomResource(object);
  if (custom) return custom;
  const Model = await modelClass(apiVersion, kind);
  if (!Model) return [`no schema for ${apiVersion} ${kind}`];
  const problems: string[] = [];
  try {
    new Model(object).validate();
  } catch (error) {
    problems.push(String((error as Error).message));
  }
  problems.push(...unknownKeys(object, kindTypingsFile(apiVersion, kind)));
  return problems;
}

/** The API groups deploy/ may use, imported statically so the bundler sees them. */
const MODELS: Record<string, () => Promise<Record<string, unknown>>> = {
  v1: () => import('kubernetes-models/v1'),
  'apps/v1': () => import('kubernetes-models/apps/v1'),
  'batch/v1': () => import('kubernetes-models/batch/v1'),
  'policy/v1': () => import('kubernetes-models/policy/v1'),
  'rbac.authorization.k8s.io/v1': () => import('kubernetes-models/rbac.authorization.k8s.io/v1'),
  'admissionregistration.k8s.io/v1': () => import('kubernetes-models/admissionregistration.k8s.io/v1'),
  'networking.k8s.io/v1': () => import('kubernetes-models/networking.k8s.io/v1'),
  'coordination.k8s.io/v1': () => import('kubernetes-models/coordination.k8s.io/v1'),
  'autoscaling/v2': () => import('kubernetes-models/autoscaling/v2'),
};

async function modelClass(apiVersion: string, kind: string): Promise<ModelClass | undefined> {
  const load = Object.hasOwn(MODELS, apiVersion) ? MODELS[apiVersion] : undefined;
  if (!load) return undefined;
  const Model = (await load())[kind];
  return typeof Model === 'function' ? (Model as ModelClass) : undefined;
}
