import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import { GqlExecutionContext } from '@nestjs/graphql';
import type { FastifyRequest } from 'fastify';
import type { GraphqlContext } from '../common/graphql/request-loaders';
import { ANONYMOUS, type Principal } from '../common/principal';

/** The caller of a REST handler or GraphQL resolver, as the RequestGate (or the WebSocket handshake) found it. */
export const CurrentPrincipal = createParamDecorator((_data: unknown, context: ExecutionContext): Principal => {
  if (context.getType<'http' | 'graphql'>() === 'graphql') {
    return GqlExecutionContext.create(context).getContext<GraphqlContext>().principal ?? ANONYMOUS;
  }
  return context.switchToHttp().getRequest<FastifyRequest>().context?.principal ?? ANONYMOUS;
});
