/** Phone numbers as people write them: digits with spaces, dashes, dots, parentheses and an optional leading +. */
export const PHONE_PATTERN = /^\+?[0-9 ().-]{5,20}$/;
