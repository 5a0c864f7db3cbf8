import { currentRequestContext } from '../common/request-context';

/**
 * Marks a REST handler or GraphQL field as returning data of the given kind, whose edge TTL
 * (`EDGE_TTL_<KIND>`) then bounds the answer's `s-maxage`, like Apollo's `@cacheControl(maxAge)` hints.
 */
export function CacheHint(kind: string): MethodDecorator {
  return (_target, _key, descriptor: PropertyDescriptor) => {
    const original = descriptor.value as (...args: unknown[]) => unknown;
    descriptor.value = function (this: unknown, ...args: unknown[]) {
      currentRequestContext()?.cacheHints.add(kind);
      return original.apply(this, args);
    };
    return descriptor;
  };
}
