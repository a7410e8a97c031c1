import { BadRequestException } from '@nestjs/common';

/** For specs of validation pipes: the message of the 400 that `run` throws; fails if it throws anything else or nothing. */
export function badRequestMessage(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof BadRequestException) return error.message;
    throw new Error(`expected a 400 (BadRequestException), got ${String(error)}`, { cause: error });
  }
  throw new Error('expected a 400, nothing was thrown');
}
