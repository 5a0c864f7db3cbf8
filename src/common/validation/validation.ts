import { PipeTransform, ValidationError, ValidationPipe } from '@nestjs/common';
import { isMongoId } from 'class-validator';
import { InvalidInputError } from '../errors/domain-errors';

function firstFailure(errors: ValidationError[], parentPath = ''): { field: string; message: string } | undefined {
  for (const error of errors) {
    const field = parentPath ? `${parentPath}.${error.property}` : error.property;
    const constraint = Object.values(error.constraints ?? {})[0];
    if (constraint) {
      const message = constraint.startsWith(error.property)
        ? constraint.replace(error.property, field)
        : `${field}: ${constraint}`;
      return { field, message };
    }
    const nested = firstFailure(error.children ?? [], field);
    if (nested) return nested;
  }
  return undefined;
}

/** Whitelisting validation for every REST body and query and every GraphQL argument; names the failing field. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    forbidUnknownValues: true,
    exceptionFactory: (errors) => {
      const failure = firstFailure(errors) ?? { field: 'input', message: 'invalid input' };
      return new InvalidInputError(failure.message, failure.field);
    },
  });
}

/** Rejects anything but a 24-hex ObjectId with 400 naming the parameter. */
export class ParseObjectIdPipe implements PipeTransform<unknown, string> {
  constructor(private readonly field = 'id') {}

  transform(value: unknown): string {
    if (typeof value !== 'string' || !isMongoId(value)) {
      throw new InvalidInputError(`${this.field} must be a 24-character hexadecimal id`, this.field);
    }
    return value.toLowerCase();
  }
}
