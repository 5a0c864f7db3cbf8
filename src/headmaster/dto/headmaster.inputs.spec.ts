import { createValidationPipe } from '../../common/validation/validation';
import { CreateHeadmasterInput, UpdateHeadmasterInput } from './headmaster.inputs';

const valid = {
  firstName: 'Ada',
  lastName: 'Lovelace',
  email: 'ada@example.org',
  phone: '+1 555 0100',
  schoolId: 'a0000000000000000000000a',
};

describe(CreateHeadmasterInput.name, () => {
  const validate = (body: object, metatype: new () => object = CreateHeadmasterInput) =>
    createValidationPipe().transform(body, { type: 'body', metatype });

  it.each([
    ['firstName', {}],
    ['email', { ...valid, email: 'nope', schoolId: 'nope', appointedAt: 'nope' }],
    ['schoolId', { ...valid, schoolId: 'nope', appointedAt: 'nope' }],
  ])('names %s, the first invalid field in the order of the input (the person first)', async (field, body) => {
    await expect(validate(body)).rejects.toMatchObject({ field });
  });

  it('names the first invalid field of a change in the same order', async () => {
    await expect(validate({ lastName: '', schoolId: 'nope' }, UpdateHeadmasterInput)).rejects.toMatchObject({
      field: 'lastName',
    });
  });
});
