export const SCHOOL_TYPES = ['primary', 'secondary', 'combined', 'special'] as const;
export type SchoolType = (typeof SCHOOL_TYPES)[number];

export interface Address {
  street: string;
  city: string;
  region: string;
  postalCode: string;
}

export interface School {
  id: string;
  name: string;
  code: string;
  type: SchoolType;
  address: Address;
  phone: string;
  email: string;
  headmasterId?: string;
  createdAt: Date;
  updatedAt: Date;
}

export interface SchoolFilter {
  city?: string;
  type?: SchoolType;
}

export type NewSchool = Omit<School, 'id' | 'createdAt' | 'updatedAt'>;
export type SchoolChanges = Partial<NewSchool>;

export const SCHOOL_SORT_FIELDS = ['name', 'code', 'type', 'address.city', 'createdAt', 'updatedAt'] as const;
