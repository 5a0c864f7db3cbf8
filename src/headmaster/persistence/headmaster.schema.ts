import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { SchemaTypes, Types } from 'mongoose';
import { PersonRecord } from '../../common/person/person.record';

@Schema({ collection: 'headmasters', timestamps: true, versionKey: false })
export class HeadmasterRecord extends PersonRecord {
  @Prop({ required: true, type: SchemaTypes.ObjectId, ref: 'SchoolRecord' })
  schoolId!: Types.ObjectId;

  @Prop({ required: true })
  appointedAt!: Date;
}

export const HeadmasterSchema = SchemaFactory.createForClass(HeadmasterRecord);
HeadmasterSchema.index({ email: 1 }, { unique: true });
// One headmaster per school: who heads a school is this field alone (a school's headmaster is derived from it).
HeadmasterSchema.index({ schoolId: 1 }, { unique: true });
HeadmasterSchema.index({ lastName: 1, firstName: 1 });
