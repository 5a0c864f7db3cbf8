import { LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { RestExceptionFilter } from '../common/errors/rest-exception.filter';
import { createValidationPipe } from '../common/validation/validation';
import type { AppConfig, LogLevelSetting } from '../config/app-config';
import { EDGE_SCOPE_PATH } from '../edge/edge-scope.controller';
import { registerStatusPage } from '../status/serve-status-page';
import { DrainingFastifyAdapter } from './draining-fastify-adapter';
import { registerGraphqlIdeAssets } from './graphql-ide';
import { BODY_LIMIT_BYTES, registerHttpPipeline } from './http-pipeline';

const LOG_LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];

function logLevelsFrom(level: LogLevelSetting): LogLevel[] {
  return LOG_LEVELS.slice(0, LOG_LEVELS.indexOf(level) + 1);
}

/** Builds the whole service (REST under /api, GraphQL at /graphql, docs at /docs, health at /health), initialised but not listening. */
export async function createApp(config: AppConfig): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot(config),
    // Fastify takes a hop count too; the adapter's option type only lists the other forms.
    new DrainingFastifyAdapter({
      bodyLimit: BODY_LIMIT_BYTES,
      trustProxy: config.limits.trustProxy as boolean | string[],
    }),
    // On shutdown: requests in flight are answered, new ones get 503 (see DrainingFastifyAdapter).
    { logger: logLevelsFrom(config.server.logLevel), bufferLogs: true, abortOnError: false, return503OnClosing: true },
  );
  app.useLogger(app.get(Logger));
  registerHttpPipeline(app, config);
  app.setGlobalPrefix('api', { exclude: ['health', 'health/{*path}', 'metrics', EDGE_SCOPE_PATH] });
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new RestExceptionFilter());
  app.enableShutdownHooks();

  const openApi = new DocumentBuilder()
    .setTitle('School data service')
    .setDescription(
      'Schools, headmasters, teachers and subjects. GraphQL is served at /graphql.\n\n' +
        'Access is decided before existence: without a token, what needs one answers 401 before any record is ' +
        "looked up; a record the caller may not read (another school's teacher or headmaster) answers 404, as an " +
        'unknown id does.\n\n' +
        'References hold on every write: an unknown `schoolId` or subject code is a 400 naming the field; a record ' +
        'others still refer to (a school with teachers, a headmaster or subjects; a subject teachers teach) is not ' +
        "deleted or recoded (409 naming them). A school's `headmasterId` is derived from the headmaster whose " +
        '`schoolId` names it (one per school). Writes accepted during a database outage (202) are replayed with the ' +
        'same rules against the database; one that now breaks a rule is marked failed and never applied.',
    )
    .setVersion('1.0')
    .addBearerAuth()
    .build();
  SwaggerModule.setup('docs', app, () => SwaggerModule.createDocument(app, openApi), {
    jsonDocumentUrl: 'docs/openapi.json',
  });

  if (config.graphql.ide) await registerGraphqlIdeAssets(app);
  await registerStatusPage(app);
  await app.init();
  return app;
}
