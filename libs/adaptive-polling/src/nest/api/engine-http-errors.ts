import { BadRequestException, NotFoundException } from '@nestjs/common';
import { EngineInputError, TargetNotFoundError } from '../../engine/engine-errors';
import { targetNotFound } from './api-messages';

/** Engine errors as HTTP errors (a target may vanish between the check and the act); others pass through. */
export function engineErrorToHttp(error: unknown): unknown {
  if (error instanceof TargetNotFoundError) return new NotFoundException(targetNotFound(error.key));
  if (error instanceof EngineInputError) return new BadRequestException(error.message);
  return error;
}

/** Runs an engine call, turning its errors into 404 / 400. */
export async function withHttpErrors<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw engineErrorToHttp(error);
  }
}
