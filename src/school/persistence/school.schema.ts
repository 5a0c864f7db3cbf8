import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { EmailProp, PhoneProp } from '../../common/persistence/contact-props';
import { SCHOOL_TYPES, type SchoolType } from '../school';

@Schema({ _id: false })
export class AddressRecord {
  @Prop({ required: true, trim: true })
  street!: string;

  @Prop({ required: true, trim: true })
  city!: string;

  @Prop({ required: true, trim: true })
  region!: string;

  @Prop({ required: true, trim: true })
  postalCode!: string;
}

@Schema({ collection: 'schools', timestamps: true, versionKey: false })
export class SchoolRecord {
  @Prop({ required: true, trim: true })
  name!: string;

  @Prop({ required: true, trim: true })
  code!: string;

  @Prop({ required: true, type: String, enum: SCHOOL_TYPES })
  type!: SchoolType;

  @Prop({ required: true, type: SchemaFactory.createForClass(AddressRecord) })
  address!: AddressRecord;

  @PhoneProp()
  phone!: string;

  @EmailProp()
  email!: string;
}

export const SchoolSchema = SchemaFactory.createForClass(SchoolRecord);
SchoolSchema.index({ code: 1 }, { unique: true });
SchoolSchema.index({ 'address.city': 1 });
SchoolSchema.index({ type: 1 });
