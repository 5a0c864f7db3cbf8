import type { DynamicModule, ForwardReference, Provider, Type } from '@nestjs/common';
import { MODULE_METADATA } from '@nestjs/common/constants';
import type { CollectionRegistration } from '../common/persistence/collection-registration';
import { collectionRegistrationOf } from './collection-store.module';

type ModuleEntry = Type<unknown> | DynamicModule | ForwardReference | Promise<DynamicModule> | undefined;

/**
 * Every collection registered with CollectionStoreModule.forFeature in the module graph below `root`, in
 * import order, each once. Reads the modules' metadata only: nothing is instantiated, so no
 * database is needed. This is how tools find the registered collections without a list of their own.
 */
export function findCollectionRegistrations(root: ModuleEntry): CollectionRegistration[] {
  const found: CollectionRegistration[] = [];
  const seenProviders = new Set<Provider>();
  const visited = new Set<unknown>();

  const visit = (entry: ModuleEntry): void => {
    if (entry === undefined || entry === null || entry instanceof Promise) return;
    const resolved = 'forwardRef' in entry ? (entry as { forwardRef(): ModuleEntry }).forwardRef() : entry;
    if (resolved === undefined || resolved instanceof Promise || visited.has(resolved)) return;
    visited.add(resolved);

    const dynamic = 'module' in resolved ? resolved : undefined;
    const moduleClass = dynamic ? dynamic.module : (resolved as Type<unknown>);
    const providers = [
      ...metadataList<Provider>(MODULE_METADATA.PROVIDERS, moduleClass),
      ...(dynamic?.providers ?? []),
    ];
    for (const provider of providers) {
      const registration = collectionRegistrationOf(provider);
      if (registration === undefined || seenProviders.has(provider)) continue;
      seenProviders.add(provider);
      found.push(registration);
    }
    const imports = [...metadataList<ModuleEntry>(MODULE_METADATA.IMPORTS, moduleClass), ...(dynamic?.imports ?? [])];
    imports.forEach(visit);
  };

  visit(root);
  return found;
}

function metadataList<T>(key: string, target: object): T[] {
  const value = Reflect.getMetadata(key, target) as T[] | undefined;
  return Array.isArray(value) ? value : [];
}
