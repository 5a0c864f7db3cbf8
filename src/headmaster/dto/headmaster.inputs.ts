import { ArgsType, InputType, PartialType } from '@nestjs/graphql';
import { IntersectionType } from '@nestjs/swagger';
import { PagingArgs, PagingQuery } from '../../common/paging/paging';
import { PersonInput } from '../../common/person/person.input';
import { DateField, IdField } from '../../common/validation/input-fields';

/** What a headmaster is besides a person: the head of a school since a date (see PersonInput on the order). */
@InputType({ isAbstract: true })
class HeadmasterAppointmentInput extends PersonInput {
  @IdField({ description: 'Id of the school' })
  schoolId!: string;

  @DateField({ optional: true, description: 'Defaults to now' })
  appointedAt?: Date;
}

@InputType('CreateHeadmasterInput')
export class CreateHeadmasterInput extends HeadmasterAppointmentInput {}

/** Every field of CreateHeadmasterInput, each optional (REST documents it with the Swagger equivalent). */
@InputType('UpdateHeadmasterInput')
export class UpdateHeadmasterInput extends PartialType(CreateHeadmasterInput, InputType) {}

@InputType('HeadmasterFilter')
export class HeadmasterFilterInput {
  @IdField({ optional: true })
  schoolId?: string;
}

export class ListHeadmastersQuery extends IntersectionType(HeadmasterFilterInput, PagingQuery) {}

@ArgsType()
export class HeadmastersArgs extends PagingArgs(HeadmasterFilterInput) {}
