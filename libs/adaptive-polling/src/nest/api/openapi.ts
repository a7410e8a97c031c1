import 'reflect-metadata';

/**
 * OpenAPI decorators without @nestjs/swagger at load time. Each call is
 * recorded as metadata on its class; `documentAdaptivePollingApi()` (the
 * `nestjs-adaptive-polling/swagger` entry) replays them through the real
 * @nestjs/swagger, so the root entry works where Swagger is not installed.
 */
export const DEFERRED_OPENAPI = Symbol.for('nestjs-adaptive-polling:openapi');

/** One recorded decorator call: the @nestjs/swagger export, its arguments, and the member it decorated. */
export interface DeferredOpenApiCall {
  decorator: string;
  args: unknown[];
  key: string | symbol | undefined;
}

type Options = Record<string, unknown>;
type AnyDecorator = ClassDecorator & MethodDecorator & PropertyDecorator;

function deferred(decorator: string) {
  return (...args: unknown[]): AnyDecorator =>
    ((target: object, key?: string | symbol, descriptor?: PropertyDescriptor) => {
      const owner = (typeof target === 'function' ? target : target.constructor) as object;
      const calls = (Reflect.getOwnMetadata(DEFERRED_OPENAPI, owner) as DeferredOpenApiCall[] | undefined) ?? [];
      Reflect.defineMetadata(DEFERRED_OPENAPI, [...calls, { decorator, args, key }], owner);
      return descriptor;
    }) as AnyDecorator;
}

export const ApiProperty: (options?: Options) => PropertyDecorator = deferred('ApiProperty');
export const ApiPropertyOptional: (options?: Options) => PropertyDecorator = deferred('ApiPropertyOptional');
export const ApiTags: (...tags: string[]) => ClassDecorator = deferred('ApiTags');
export const ApiBearerAuth: (name?: string) => ClassDecorator = deferred('ApiBearerAuth');
export const ApiOperation: (options: Options) => MethodDecorator = deferred('ApiOperation');
export const ApiParam: (options: Options) => MethodDecorator = deferred('ApiParam');
export const ApiQuery: (options: Options) => MethodDecorator = deferred('ApiQuery');
export const ApiBody: (options: Options) => MethodDecorator = deferred('ApiBody');
export const ApiOkResponse: (options?: Options) => MethodDecorator = deferred('ApiOkResponse');
export const ApiCreatedResponse: (options?: Options) => MethodDecorator = deferred('ApiCreatedResponse');
export const ApiAcceptedResponse: (options?: Options) => MethodDecorator = deferred('ApiAcceptedResponse');
export const ApiNoContentResponse: (options?: Options) => MethodDecorator = deferred('ApiNoContentResponse');
export const ApiBadRequestResponse: (options?: Options) => MethodDecorator & ClassDecorator = deferred('ApiBadRequestResponse');
export const ApiUnauthorizedResponse: (options?: Options) => MethodDecorator & ClassDecorator = deferred('ApiUnauthorizedResponse');
export const ApiForbiddenResponse: (options?: Options) => MethodDecorator & ClassDecorator = deferred('ApiForbiddenResponse');
export const ApiNotFoundResponse: (options?: Options) => MethodDecorator & ClassDecorator = deferred('ApiNotFoundResponse');
export const ApiConflictResponse: (options?: Options) => MethodDecorator & ClassDecorator = deferred('ApiConflictResponse');
export const ApiTooManyRequestsResponse: (options?: Options) => MethodDecorator & ClassDecorator = deferred('ApiTooManyRequestsResponse');
export const ApiServiceUnavailableResponse: (options?: Options) => MethodDecorator & ClassDecorator =
  deferred('ApiServiceUnavailableResponse');
export const ApiExtraModels: (...models: unknown[]) => ClassDecorator = deferred('ApiExtraModels');
