/** Password length bounds (OWASP: at least 8, allow at least 64; we ask 12 and allow 128). */
export const PASSWORD_MIN = 12;
export const PASSWORD_MAX = 128;
