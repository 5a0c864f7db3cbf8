import { LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { AppModule } from '../app.module';
import { RestExceptionFilter } from '../common/errors/rest-exception.filter';
import { GRAPHQL_IDE_INLINE_SCRIPT_HASH, registerGraphqlIdeAssets } from '../common/graphql-ide/graphql-ide';
import { registerRequestContext } from '../common/request-context';
import { createValidationPipe } from '../common/validation/validation';
import type { AppConfig, LogLevelSetting } from '../config/app-config';
import { limitJsonDepth } from '../security/json-depth-limit';
import { registerSecurityHeaders } from '../security/security-headers';
import { DrainingFastifyAdapter } from './draining-fastify-adapter';

const LOG_LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];

function logLevelsFrom(level: LogLevelSetting): LogLevel[] {
  return LOG_LEVELS.slice(0, LOG_LEVELS.indexOf(level) + 1);
}

/** REST body size limit: generous for any real record, small enough to shed abuse early. */
const BODY_LIMIT_BYTES = 1024 * 1024;

/** What browsers may load for the service's pages (the GraphQL IDE, Swagger UI): only its own assets. */
const CONTENT_SECURITY_POLICY = {
  useDefaults: false,
  directives: {
    defaultSrc: ["'self'"],
    scriptSrc: ["'self'", GRAPHQL_IDE_INLINE_SCRIPT_HASH],
    styleSrc: ["'self'", "'unsafe-inline'"],
    fontSrc: ["'self'", 'data:'],
    imgSrc: ["'self'", 'data:'],
    connectSrc: ["'self'"],
    objectSrc: ["'none'"],
    baseUri: ["'none'"],
    formAction: ["'self'"],
    frameAncestors: ["'none'"],
  },
};

/**
 * Security headers (helmet), CORS for the allowed browser origins only, JSON nesting and GraphQL body limits.
 * Called before the GraphQL routes exist, so that their options can still be set.
 */
function harden(app: NestFastifyApplication, config: AppConfig): void {
  const { corsOrigins, graphqlMaxBodyBytes } = config.limits;
  if (corsOrigins === '*' || corsOrigins.length > 0) {
    app.enableCors({
      origin: corsOrigins === '*' ? true : corsOrigins,
      methods: ['GET', 'HEAD', 'POST', 'PATCH', 'DELETE'],
      allowedHeaders: ['Authorization', 'Content-Type', 'Accept'],
      exposedHeaders: ['X-Data-Source', 'Retry-After', 'X-Cache'],
      maxAge: 600,
    });
  }
  limitJsonDepth(app, BODY_LIMIT_BYTES);
  const fastify = app.getHttpAdapter().getInstance();
  registerSecurityHeaders(fastify, { contentSecurityPolicy: CONTENT_SECURITY_POLICY });
  fastify.addHook('onRoute', (route) => {
    if (route.url === '/graphql') route.bodyLimit = graphqlMaxBodyBytes;
  });
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
    { logger: logLevelsFrom(config.logLevel), bufferLogs: true, abortOnError: false, return503OnClosing: true },
  );
  app.useLogger(app.get(Logger));
  registerRequestContext(app.getHttpAdapter().getInstance());
  harden(app, config);
  app.setGlobalPrefix('api', { exclude: ['health', 'health/{*path}', 'metrics'] });
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new RestExceptionFilter());
  app.enableShutdownHooks();

  const openApi = new DocumentBuilder()
    .setTitle('School data service')
    .setDescription('Schools, headmasters and teachers. GraphQL is served at /graphql.')
    .setVersion('1.0')
    .build();
  SwaggerModule.setup('docs', app, () => SwaggerModule.createDocument(app, openApi), {
    jsonDocumentUrl: 'docs/openapi.json',
  });

  if (config.graphqlIde) await registerGraphqlIdeAssets(app);
  await app.init();
  return app;
}
