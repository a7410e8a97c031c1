import { BadRequestException, Injectable, type PipeTransform } from '@nestjs/common';
import { TARGET_KEY_SEPARATOR, parseTargetKey, validateTargetInput } from '../../core/target';
import { keyInvalid, keyMissing, keyPartEmpty, keyWithoutSeparator } from './api-messages';

/**
 * Validates the `:instance` route parameter: a target key `type::name`
 * (URL-encoded; the router has decoded it). Bad input is a 400 naming the reason.
 */
@Injectable()
export class TargetKeyPipe implements PipeTransform<unknown, string> {
  transform(value: unknown): string {
    if (typeof value !== 'string' || value.trim() === '') throw new BadRequestException(keyMissing());
    if (!value.includes(TARGET_KEY_SEPARATOR)) throw new BadRequestException(keyWithoutSeparator(value));
    if (value.startsWith(TARGET_KEY_SEPARATOR)) throw new BadRequestException(keyPartEmpty(value, 'type'));
    const parsed = parseTargetKey(value);
    if (!parsed) throw new BadRequestException(keyWithoutSeparator(value));
    if (parsed.name === '') throw new BadRequestException(keyPartEmpty(value, 'name'));
    const problems = validateTargetInput({ name: parsed.name, type: parsed.type }, 'target');
    if (problems.length > 0) {
      throw new BadRequestException(
        keyInvalid(
          value,
          problems.map((p) => `${p.field.replace(/^target\./, '')} ${p.message}`),
        ),
      );
    }
    return value;
  }
}
