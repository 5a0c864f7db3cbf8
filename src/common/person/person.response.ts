import { ApiProperty } from '@nestjs/swagger';

/**
 * What REST shows of a person to every caller who may see them at all: their id and names. The responses of
 * headmasters and teachers extend it with what their own rules allow (contact data for some callers only).
 */
export class PersonResponse {
  @ApiProperty({ example: '665f1c2ab3e4d5f6a7b8c9d0' })
  id!: string;

  @ApiProperty()
  firstName!: string;

  @ApiProperty()
  lastName!: string;
}
