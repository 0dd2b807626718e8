import { applyDecorators, Controller, UseFilters, UseGuards, UseInterceptors, type INestApplication } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiQuery, ApiTags, DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { z } from 'zod';
import { AuditInterceptor } from '../audit/audit.interceptor';
import { ApiAuthGuard } from './api-auth.guard';
import { ApiErrorFilter } from './api-error.filter';
import { RateLimitGuard } from './rate-limit.guard';

/** A controller of the admin API: under /api/v1, token-authenticated, rate-limited, audited, documented. */
export function AdminApi(path: string): ClassDecorator {
  return applyDecorators(Controller(`api/v1/${path}`), UseFilters(ApiErrorFilter), UseGuards(ApiAuthGuard, RateLimitGuard), UseInterceptors(AuditInterceptor), ApiTags(path.split('/')[0] as string), ApiBearerAuth());
}

type JsonSchema = Record<string, unknown>;
const jsonSchema = (schema: z.ZodType): JsonSchema => z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;

/** Documents a request body with the zod schema that validates it: one source of truth for the shape. */
export function BodyFrom(schema: z.ZodType): MethodDecorator {
  return ApiBody({ schema: jsonSchema(schema) });
}

/** Documents each query parameter of a zod object schema. */
export function QueryFrom(schema: z.ZodObject): MethodDecorator {
  const properties = (jsonSchema(schema).properties ?? {}) as Record<string, JsonSchema>;
  return applyDecorators(...Object.entries(properties).map(([name, property]) => ApiQuery({ name, required: false, schema: property })));
}

/** Serves the OpenAPI document at /api/docs-json and a browsable page at /api/docs. */
export function setupOpenApi(app: INestApplication): void {
  const config = new DocumentBuilder()
    .setTitle('fleetban admin API')
    .setDescription('Bans, allowlist, jails, agents, events and audit of a fleetban fleet. See docs/api.md.')
    .setVersion('1')
    .addBearerAuth()
    .build();
  const document = SwaggerModule.createDocument(app, config);
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/docs-json' });
}
