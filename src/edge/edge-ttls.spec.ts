import { Controller, Get, Injectable, Logger } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { AppConfig, loadAppConfig } from '../config/app-config';
import { CacheHint } from './cache-hint';
import { EdgeTtls } from './edge-ttls';

@Controller('things')
class ThingController {
  @CacheHint({ kind: 'summary', ttlSeconds: 15 })
  @Get()
  summary(): string {
    return 'summary';
  }
}

@Injectable()
class ThingResolver {
  @CacheHint({ kind: 'report', ttlSeconds: 45 })
  report(): string {
    return 'report';
  }
}

async function sutWith(env: Record<string, string> = {}): Promise<EdgeTtls> {
  const module = await Test.createTestingModule({
    imports: [DiscoveryModule],
    controllers: [ThingController],
    providers: [EdgeTtls, ThingResolver, { provide: AppConfig, useValue: loadAppConfig(env) }],
  }).compile();
  module.useLogger(false);
  await module.init();
  return module.get(EdgeTtls);
}

describe(EdgeTtls.name, () => {
  it('returns the TTL a collection declares, and the cache hints of controllers and providers', async () => {
    const sut = await sutWith();
    sut.declare('teachers', 60);
    expect(sut.ttlOf('teachers')).toBe(60);
    expect(sut.ttlOf('summary')).toBe(15);
    expect(sut.ttlOf('report')).toBe(45);
  });

  it('returns EDGE_TTL_DEFAULT for a kind that declares no TTL, and EDGE_TTL_<KIND> over any declared one', async () => {
    const sut = await sutWith({ EDGE_TTL_DEFAULT: '7', EDGE_TTL_SUMMARY: '0', EDGE_TTL_LESSON_PLANS: '600' });
    sut.declare('subjects', undefined);
    sut.declare('lesson_plans', undefined);
    expect(sut.ttlOf('subjects')).toBe(7);
    expect(sut.ttlOf('summary')).toBe(0);
    expect(sut.ttlOf('lesson_plans')).toBe(600);
    expect(sut.kinds()).toEqual({ lesson_plans: 600, report: 45, subjects: 7, summary: 0 });
  });

  it('warns at start of an EDGE_TTL_<KIND> that names no kind of data', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    try {
      await sutWith({ EDGE_TTL_SUMARY: '10' });
      expect(warn).toHaveBeenCalledWith(expect.stringContaining('EDGE_TTL_SUMARY'));
    } finally {
      warn.mockRestore();
    }
  });
});
