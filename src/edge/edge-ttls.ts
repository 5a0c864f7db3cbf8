import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { AppConfig } from '../config/app-config';
import { CACHE_HINT, type CacheHintKind } from './cache-hint';

/**
 * How long an edge may keep answers, by the kinds of data they contain: each collection (its registration's
 * `edgeTtlSeconds`) and each cache hint (`@CacheHint`) declares its TTL; `EDGE_TTL_<KIND>` overrides it, and a kind
 * that declares none gets EDGE_TTL_DEFAULT.
 */
@Injectable()
export class EdgeTtls implements OnApplicationBootstrap {
  private readonly logger = new Logger('EdgeTtls');
  private readonly declared = new Map<string, number | undefined>();

  constructor(
    private readonly config: AppConfig,
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
  ) {}

  declare(kind: string, ttlSeconds: number | undefined): void {
    this.declared.set(kind, ttlSeconds);
  }

  /** Seconds an edge may keep an answer containing data of this kind. */
  ttlOf(kind: string): number {
    const { ttlOverrides, defaultTtlSeconds } = this.config.edge;
    return ttlOverrides[kind] ?? this.declared.get(kind) ?? defaultTtlSeconds;
  }

  /** Every kind the service answers with, and its TTL: for the logs at start and the README. */
  kinds(): Record<string, number> {
    return Object.fromEntries([...this.declared.keys()].sort().map((kind) => [kind, this.ttlOf(kind)]));
  }

  /** Declares the kinds of the cache hints on the service's controllers and resolvers. */
  onApplicationBootstrap(): void {
    const wrappers = [...this.discovery.getControllers(), ...this.discovery.getProviders()];
    for (const { instance } of wrappers) {
      if (!instance || typeof instance !== 'object') continue;
      const prototype = Object.getPrototypeOf(instance) as object;
      for (const name of this.scanner.getAllMethodNames(prototype)) {
        const method = (prototype as Record<string, unknown>)[name];
        if (typeof method !== 'function') continue;
        const hint = this.reflector.get<CacheHintKind | undefined>(CACHE_HINT, method);
        if (hint) this.declare(hint.kind, hint.ttlSeconds);
      }
    }
    const unknown = Object.keys(this.config.edge.ttlOverrides).filter((kind) => !this.declared.has(kind));
    if (unknown.length > 0) {
      this.logger.warn(
        `EDGE_TTL_${unknown.map((kind) => kind.toUpperCase()).join(', EDGE_TTL_')} name(s) no kind of data ` +
          `(known: ${[...this.declared.keys()].sort().join(', ')}); ignored`,
      );
    }
  }
}
