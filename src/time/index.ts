export { parseTimeLocal, formatTimeLocalUtc, TIME_LOCAL_LENGTH } from './nginx-time.js';
export { parseIso8601, parseMsec } from './iso-time.js';
export { describeTimeZone, isValidTimeZone, resolveTimeZone, type TimeZone } from './zone.js';
export { civilToMs, daysFromCivil } from './civil.js';
