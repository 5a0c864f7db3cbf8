import { createValidationPipe } from '../../common/validation/validation';
import { CreateTeacherInput, HireTeacherInput } from './teacher.inputs';

describe(HireTeacherInput.name, () => {
  const pipe = createValidationPipe();

  it("checks the person's fields before what they teach, and the school first when it is asked for", async () => {
    const hire = { phone: 'call me', subjects: [], status: 'retired' };
    await expect(pipe.transform(hire, { type: 'body', metatype: HireTeacherInput })).rejects.toMatchObject({
      field: 'firstName',
    });
    await expect(
      pipe.transform(
        { firstName: 'Ada', lastName: 'Lovelace', email: 'ada@example.org', ...hire },
        {
          type: 'body',
          metatype: HireTeacherInput,
        },
      ),
    ).rejects.toMatchObject({ field: 'phone' });
    await expect(pipe.transform(hire, { type: 'body', metatype: CreateTeacherInput })).rejects.toMatchObject({
      field: 'schoolId',
    });
  });
});
