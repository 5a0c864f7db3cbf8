/** What the service keeps of every person it knows (headmasters, teachers): their names and how to reach them. */
export interface Person {
  firstName: string;
  lastName: string;
  email: string;
  phone: string;
}

/** The person fields of a record, for a record→entity mapper. */
export function personOf(record: Person): Person {
  return { firstName: record.firstName, lastName: record.lastName, email: record.email, phone: record.phone };
}
