import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { assertAdmin } from './access-policy';
import { ANONYMOUS } from '../common/principal';

/** For REST endpoints meant for operators only (the fallback's controls, metrics): admins. */
@Injectable()
export class AdminOnlyGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    assertAdmin(context.switchToHttp().getRequest<FastifyRequest>().context?.principal ?? ANONYMOUS);
    return true;
  }
}
