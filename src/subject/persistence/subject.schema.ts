import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { SchemaTypes, Types } from 'mongoose';
import { SUBJECT_CODE_PATTERN, SUBJECT_CODE_RULE } from '../subject';

@Schema({ collection: 'subjects', timestamps: true, versionKey: false })
export class SubjectRecord {
  @Prop({ required: true, trim: true })
  name!: string;

  @Prop({ required: true, match: [SUBJECT_CODE_PATTERN, `code must be ${SUBJECT_CODE_RULE}`] })
  code!: string;

  @Prop({ required: true, type: SchemaTypes.ObjectId, ref: 'SchoolRecord' })
  schoolId!: Types.ObjectId;
}

export const SubjectSchema = SchemaFactory.createForClass(SubjectRecord);
SubjectSchema.index({ schoolId: 1, code: 1 }, { unique: true });
SubjectSchema.index({ schoolId: 1, name: 1 });
