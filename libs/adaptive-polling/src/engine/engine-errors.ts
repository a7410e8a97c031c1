import type { OptionProblem } from '../core/types';

/** Bad input to a registry or management call; every problem at once. */
export class EngineInputError extends Error {
  override readonly name = 'EngineInputError';
  constructor(readonly problems: OptionProblem[]) {
    super(problems.map((p) => `${p.field}: ${p.message}`).join('; '));
  }
}

export class TargetNotFoundError extends Error {
  override readonly name = 'TargetNotFoundError';
  constructor(readonly key: string) {
    super(`no target "${key}" is registered`);
  }
}

export class TargetConflictError extends Error {
  override readonly name = 'TargetConflictError';
  constructor(readonly key: string) {
    super(`a target "${key}" is already registered`);
  }
}
