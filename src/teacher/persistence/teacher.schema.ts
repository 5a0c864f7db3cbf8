import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { SchemaTypes, Types } from 'mongoose';
import { PersonRecord } from '../../common/person/person.record';
import type { KeyReference } from '../../common/persistence/key-reference';
import { TEACHER_STATUSES, type TeacherStatus } from '../teacher';

@Schema({ collection: 'teachers', timestamps: true, versionKey: false })
export class TeacherRecord extends PersonRecord {
  @Prop({ required: true, type: SchemaTypes.ObjectId, ref: 'SchoolRecord' })
  schoolId!: Types.ObjectId;

  /** Codes of subjects of the teacher's school. */
  @Prop({
    type: [String],
    required: true,
    default: [],
    refByKey: { ref: 'SubjectRecord', key: 'code', within: 'schoolId' } satisfies KeyReference,
  })
  subjects!: string[];

  @Prop({ required: true, type: String, enum: TEACHER_STATUSES, default: 'active' })
  status!: TeacherStatus;

  @Prop({ required: true })
  hiredAt!: Date;
}

export const TeacherSchema = SchemaFactory.createForClass(TeacherRecord);
TeacherSchema.index({ email: 1 }, { unique: true });
TeacherSchema.index({ schoolId: 1, lastName: 1 });
TeacherSchema.index({ subjects: 1 });
TeacherSchema.index({ status: 1 });
TeacherSchema.index({ lastName: 1, firstName: 1 });
