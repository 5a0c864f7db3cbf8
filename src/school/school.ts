import type { Withholdable } from '../security/withheld-fields';

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
  /** Derived from the headmasters' records (their schoolId), not stored with the school. */
  headmasterId?: string;
  createdAt: Date;
  updatedAt: Date;
}

/** What is not in the public directory: for the school's members and admins only. */
export const SCHOOL_PRIVATE_FIELDS = ['phone', 'email', 'headmasterId', 'createdAt', 'updatedAt'] as const;
export const ADDRESS_PRIVATE_FIELDS = ['street', 'region', 'postalCode'] as const;
type SchoolPrivateField = (typeof SCHOOL_PRIVATE_FIELDS)[number];
type AddressPrivateField = (typeof ADDRESS_PRIVATE_FIELDS)[number];

/** A school as one caller may see it: in full, or as a directory entry (name, code, type, city). */
export type SchoolView = Withholdable<Omit<School, 'address'>, SchoolPrivateField> & {
  address: Withholdable<Address, AddressPrivateField>;
};

export interface SchoolFilter {
  city?: string;
  type?: SchoolType;
}

export type NewSchool = Omit<School, 'id' | 'headmasterId' | 'createdAt' | 'updatedAt'>;
export type SchoolChanges = Partial<NewSchool>;

export const SCHOOL_SORT_FIELDS = ['name', 'code', 'type', 'address.city', 'createdAt', 'updatedAt'] as const;
