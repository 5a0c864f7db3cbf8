import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { SchemaTypes, Types } from 'mongoose';

@Schema({ collection: 'subjects', timestamps: true, versionKey: false })
export class SubjectRecord {
  @Prop({ required: true, trim: true })
  name!: string;

  @Prop({ required: true, type: SchemaTypes.ObjectId, ref: 'SchoolRecord' })
  schoolId!: Types.ObjectId;
}

export const SubjectSchema = SchemaFactory.createForClass(SubjectRecord);
SubjectSchema.index({ schoolId: 1, name: 1 });
