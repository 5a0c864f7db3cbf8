import { InputType, registerEnumType } from '@nestjs/graphql';
import { DateField, EmailField, EnumField, IdField, PhoneField, TextField } from './input-fields';
import { createValidationPipe } from './validation';

const SIZES = ['small', 'large'] as const;
const SizeEnum = { small: 'small', large: 'large' } as const;
registerEnumType(SizeEnum, { name: 'InputFieldsSpecSize' });

@InputType('InputFieldsSpecInput')
class ContactInput {
  @TextField(5)
  name!: string;

  @TextField(10, { optional: true })
  nickname?: string;

  @IdField()
  ownerId!: string;

  @EmailField('a@example.org')
  email!: string;

  @PhoneField()
  phone!: string;

  @EnumField(SizeEnum, SIZES, { optional: true, defaultValue: 'small' })
  size?: (typeof SIZES)[number];

  @DateField({ optional: true })
  since?: Date;
}

const valid = { name: 'Ada', ownerId: 'a0000000000000000000000a', email: 'ada@example.org', phone: '+1 555 0100' };
const validate = (body: object) => createValidationPipe().transform(body, { type: 'body', metatype: ContactInput });

describe('input fields', () => {
  it('accepts text of 1 to its length, an ObjectId, an e-mail address and a phone number; optional fields may be absent', async () => {
    await expect(validate(valid)).resolves.toEqual(valid);
    await expect(validate({ ...valid, nickname: 'Countess' })).resolves.toMatchObject({ nickname: 'Countess' });
    await expect(validate({ ...valid, size: 'large', since: '2025-01-02' })).resolves.toMatchObject({
      size: 'large',
      since: new Date('2025-01-02T00:00:00Z'),
    });
  });

  it.each([
    [{ name: '' }, 'name', 'name must be longer than or equal to 1 characters'],
    [{ name: 'Augusta' }, 'name', 'name must be shorter than or equal to 5 characters'],
    [
      { nickname: 42 },
      'nickname',
      'nickname must be longer than or equal to 1 and shorter than or equal to 10 characters',
    ],
    [{ ownerId: 'nope' }, 'ownerId', 'ownerId must be a 24-character hexadecimal id'],
    [{ email: 'nope' }, 'email', 'email must be an e-mail address'],
    [{ size: 'medium' }, 'size', 'size must be one of the following values: small, large'],
    [{ since: 'yesterday' }, 'since', 'since must be an ISO 8601 date'],
    [
      { phone: 'call me' },
      'phone',
      'phone must be a phone number of 5-20 digits, spaces, -, ( ) and an optional leading +',
    ],
  ])('refuses %o naming %s', async (change, field, message) => {
    await expect(validate({ ...valid, ...change })).rejects.toMatchObject({ field, message });
  });
});
