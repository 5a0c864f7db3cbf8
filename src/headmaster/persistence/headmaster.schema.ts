import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { PHONE_PATTERN, STORED_EMAIL_PATTERN } from '../../common/validation/contact-patterns';
import { SchemaTypes, Types } from 'mongoose';

@Schema({ collection: 'headmasters', timestamps: true, versionKey: false })
export class HeadmasterRecord {
  @Prop({ required: true, trim: true })
  firstName!: string;

  @Prop({ required: true, trim: true })
  lastName!: string;

  @Prop({
    required: true,
    lowercase: true,
    trim: true,
    match: [STORED_EMAIL_PATTERN, 'email must be an e-mail address'],
  })
  email!: string;

  @Prop({ required: true, match: [PHONE_PATTERN, 'phone must be a phone number'] })
  phone!: string;

  @Prop({ required: true, type: SchemaTypes.ObjectId, ref: 'SchoolRecord' })
  schoolId!: Types.ObjectId;

  @Prop({ required: true })
  appointedAt!: Date;
}

export const HeadmasterSchema = SchemaFactory.createForClass(HeadmasterRecord);
HeadmasterSchema.index({ email: 1 }, { unique: true });
HeadmasterSchema.index({ schoolId: 1 });
HeadmasterSchema.index({ lastName: 1, firstName: 1 });
