import { ApolloDriver, ApolloDriverConfig } from '@nestjs/apollo';
import { DynamicModule, Module } from '@nestjs/common';
import { GraphQLModule } from '@nestjs/graphql';
import { graphqlOptions } from './graphql-options';
import type { CollectionRegistration } from '../common/persistence/collection-registration';
import { AppConfig, loadAppConfig } from '../config/app-config';
import { DatabaseModule } from '../database/database.module';
import { EdgeModule } from '../edge/edge.module';
import { ResponsePolicy } from '../edge/response-policy';
import { FallbackModule } from '../fallback/fallback.module';
import { HeadmasterModule } from '../headmaster/headmaster.module';
import { HealthModule } from '../health/health.module';
import { LoggingModule } from '../logging/logging.module';
import { MetricsModule } from '../metrics/metrics.module';
import { CollectionStoreModule } from '../persistence/collection-store.module';
import { findCollectionRegistrations } from '../persistence/collection-registrations';
import { SchoolModule } from '../school/school.module';
import { RateLimiter } from '../security/rate-limiter';
import { RequestGate } from '../security/request-gate';
import { SecurityModule } from '../security/security.module';
import { StatusModule } from '../status/status.module';
import { TeacherModule } from '../teacher/teacher.module';
import { SubjectModule } from '../subject/subject.module';

/**
 * The domain: one module per feature, each registering its collections with CollectionStoreModule.forFeature.
 * npm run generate:module adds a new module here (and its import above).
 */
const FEATURE_MODULES = [SchoolModule, TeacherModule, HeadmasterModule, SubjectModule];

@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    const configModule: DynamicModule = {
      module: class ConfigModule {},
      global: true,
      providers: [{ provide: AppConfig, useValue: config }],
      exports: [AppConfig],
    };
    return {
      module: AppModule,
      imports: [
        configModule,
        LoggingModule,
        DatabaseModule,
        MetricsModule,
        FallbackModule,
        EdgeModule,
        CollectionStoreModule.forRoot(),
        SecurityModule,
        GraphQLModule.forRootAsync<ApolloDriverConfig>({
          driver: ApolloDriver,
          imports: [SecurityModule],
          inject: [AppConfig, RequestGate, RateLimiter, ResponsePolicy],
          useFactory: graphqlOptions,
        }),
        ...FEATURE_MODULES,
        HealthModule,
        StatusModule,
      ],
    };
  }
}

/**
 * The collections the service registers (CollectionStoreModule.forFeature), found in its module graph without
 * starting anything: what the schema-drift test checks and fixtures:refresh samples.
 */
export function registeredCollections(): CollectionRegistration[] {
  return findCollectionRegistrations(AppModule.forRoot(loadAppConfig({})));
}
