import {
  applyDecorators,
  type CallHandler,
  type ExecutionContext,
  Injectable,
  type NestInterceptor,
  SetMetadata,
  UseInterceptors,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Observable } from 'rxjs';
import { currentRequestContext } from '../common/request-context';

/** A kind of data an answer may contain besides records (a headmaster's dashboard), with its own edge TTL. */
export interface CacheHintKind {
  /** As named in EDGE_TTL_<KIND> (`dashboard`). */
  readonly kind: string;
  /** Seconds an edge may keep answers containing it, unless EDGE_TTL_<KIND> says otherwise. */
  readonly ttlSeconds: number;
}

export const CACHE_HINT = 'edge:cache-hint';

/** Adds the handler's cache hint to the request's context when the handler runs. */
@Injectable()
export class CacheHintInterceptor implements NestInterceptor {
  constructor(private readonly reflector: Reflector) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const hint = this.reflector.get<CacheHintKind | undefined>(CACHE_HINT, context.getHandler());
    if (hint) currentRequestContext()?.cacheHints.add(hint.kind);
    return next.handle();
  }
}

/**
 * Marks a REST handler or GraphQL field as answering with data of the given kind, whose TTL then bounds the
 * answer's `s-maxage` (like Apollo's `@cacheControl(maxAge)` hints). Metadata, read through the Reflector: it may
 * stand anywhere among the handler's decorators.
 */
export function CacheHint(hint: CacheHintKind): MethodDecorator {
  return applyDecorators(SetMetadata(CACHE_HINT, hint), UseInterceptors(CacheHintInterceptor));
}
