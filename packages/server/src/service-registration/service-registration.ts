import type { Logger } from '@coffer/sdk';
import type { ServiceRegistrationConfig } from '../config/config-types.js';
import type { NodeRole } from '../core/core.js';
import { KubernetesServiceRegistration, type RegistrationTiming } from './kubernetes-registration.js';

/**
 * Tells the platform what this node is, so that it routes clients by role (the Kubernetes
 * `-active` / `-standby` Services select on the labels). Nothing here ever blocks a request: the
 * core only says "something changed", and the registration catches up in the background.
 */
export interface ServiceRegistration {
  /** Announces the current state; returns at once. */
  start(): void;
  /** The role or seal state changed: announce the new state (the latest wins); returns at once. */
  notify(): void;
  /** Announces "not active, sealed" for shutdown, waits (bounded) for that to land, then stops. */
  stop(): Promise<void>;
}

/** How the registration reads the node's state when it is about to announce it. */
export interface NodeStateSource {
  role(): NodeRole;
  initialized(): Promise<boolean>;
}

export interface ServiceRegistrationDeps {
  logger: Logger;
  state: NodeStateSource;
  /** The Vault API level (`vault-version`) and Coffer's own version (`coffer-version`). */
  versions: { vault: string; coffer: string };
  timing?: Partial<RegistrationTiming>;
}

export function createServiceRegistration(config: ServiceRegistrationConfig, deps: ServiceRegistrationDeps): ServiceRegistration {
  switch (config.type) {
    case 'kubernetes':
      return new KubernetesServiceRegistration(config, deps);
  }
}
