import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { SchemaTypes, Types } from 'mongoose';

@Schema({ collection: 'headmasters', timestamps: true, versionKey: false })
export class HeadmasterRecord {
  @Prop({ required: true, trim: true })
  firstName!: string;

  @Prop({ required: true, trim: true })
  lastName!: string;

  @Prop({ required: true, lowercase: true, trim: true })
  email!: string;

  @Prop({ required: true })
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
