/**
 * One error base class with stable codes. Subclasses carry the context a user needs
 * (which key, which line, which provider). src/api/errors.ts is the only place that maps codes to HTTP.
 */
export type ErrorCode =
  | 'bad_request'
  | 'not_found'
  | 'invalid_config'
  | 'parse_error'
  | 'store_unavailable'
  | 'provider_error'
  | 'rate_limited'
  | 'unsupported_ioc';

export class RampartError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

export class ConfigError extends RampartError {
  constructor(
    readonly key: string,
    problem: string,
  ) {
    super('invalid_config', `config ${key}: ${problem}`);
  }
}

export class BadRequestError extends RampartError {
  constructor(
    message: string,
    readonly field?: string,
  ) {
    super('bad_request', message);
  }
}

export class NotFoundError extends RampartError {
  constructor(message: string) {
    super('not_found', message);
  }
}
