/** Phone numbers as people write them: digits with spaces, dashes, dots, parentheses and an optional leading +. */
export const PHONE_PATTERN = /^\+?[0-9 ().-]{5,20}$/;

/** A deliberately loose e-mail shape for stored records; inputs are checked more strictly by their DTOs. */
export const STORED_EMAIL_PATTERN = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
