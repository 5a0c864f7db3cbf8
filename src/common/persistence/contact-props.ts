import { Prop } from '@nestjs/mongoose';
import { PHONE_PATTERN, STORED_EMAIL_PATTERN } from '../validation/contact-patterns';

/** A required e-mail address as records keep it: trimmed, in lower case, loosely checked (inputs strictly). */
export function EmailProp(): PropertyDecorator {
  return Prop({
    required: true,
    lowercase: true,
    trim: true,
    match: [STORED_EMAIL_PATTERN, 'email must be an e-mail address'],
  });
}

/** A required phone number as records keep it. */
export function PhoneProp(): PropertyDecorator {
  return Prop({ required: true, match: [PHONE_PATTERN, 'phone must be a phone number'] });
}
