/**
 * The one place that turns errors into HTTP responses. Every error leaves as JSON
 * `{ error: <code>, message: <what was wrong, naming the parameter> }`; 5xx bodies never carry internals
 * (the details go to the log with the request id).
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { RampartError, type ErrorCode } from '../core/index.js';
import type { RouteTable } from './route-table.js';

/** RampartError codes plus the transport-level ones only HTTP has. */
export type ApiErrorCode =
  | ErrorCode
  | 'unauthorized'
  | 'forbidden'
  | 'method_not_allowed'
  | 'not_acceptable'
  | 'payload_too_large'
  | 'uri_too_long'
  | 'unsupported_media_type'
  | 'headers_too_large'
  | 'internal_error';

export interface ApiErrorBody {
  error: ApiErrorCode;
  message: string;
}

const STATUS_BY_CODE: Record<ErrorCode, number> = {
  bad_request: 400,
  parse_error: 400,
  unsupported_ioc: 400,
  not_found: 404,
  rate_limited: 429,
  provider_error: 502,
  store_unavailable: 503,
  // A configuration problem found while serving is ours, not the client's.
  invalid_config: 500,
};

/** Shared schema for every error response; routes reference it as `{ $ref: 'ApiError#' }`. */
export const apiErrorSchema = {
  $id: 'ApiError',
  type: 'object',
  description: 'Every error response has this shape.',
  properties: {
    error: { type: 'string', description: 'Stable machine-readable code, e.g. bad_request, not_found.' },
    message: { type: 'string', description: 'What was wrong, naming the parameter.' },
  },
  required: ['error', 'message'],
} as const;

/** Error responses every route may give; routes spread this into `response`. */
export const errorResponses = {
  '4xx': { $ref: 'ApiError#' },
  '5xx': { $ref: 'ApiError#' },
} as const;

export interface HttpError {
  status: number;
  body: ApiErrorBody;
}

/** Pure mapping, exported for tests; `installErrorHandling` wires it in with logging. */
export function toHttpError(err: unknown, request: FastifyRequest): HttpError {
  if (err instanceof RampartError) {
    const status = STATUS_BY_CODE[err.code];
    if (status >= 500) return { status, body: serverError(err.code, request.id) };
    return { status, body: { error: err.code, message: err.message } };
  }
  const fe = err as Partial<FastifyError>;
  const status = typeof fe.statusCode === 'number' ? fe.statusCode : 500;
  if (status === 415) {
    const given = String(request.headers['content-type'] ?? '').slice(0, 100);
    const message = `content type ${JSON.stringify(given)} is not supported here; send application/json`;
    return { status, body: { error: 'unsupported_media_type', message } };
  }
  if (status === 413) {
    const limit = request.routeOptions.bodyLimit;
    const message = `request body is larger than this route's limit of ${limit} bytes`;
    return { status, body: { error: 'payload_too_large', message } };
  }
  if (status >= 400 && status < 500) {
    return { status, body: { error: codeForStatus(status), message: fe.message ?? 'bad request' } };
  }
  return { status: 500, body: serverError('internal_error', request.id) };
}

function serverError(code: ApiErrorCode, requestId: string): ApiErrorBody {
  const what = code === 'store_unavailable' ? 'the store is unavailable' : 'internal error';
  return { error: code, message: `${what} (request id ${requestId})` };
}

function codeForStatus(status: number): ApiErrorCode {
  switch (status) {
    case 401:
      return 'unauthorized';
    case 403:
      return 'forbidden';
    case 404:
      return 'not_found';
    case 405:
      return 'method_not_allowed';
    case 406:
      return 'not_acceptable';
    case 413:
      return 'payload_too_large';
    case 414:
      return 'uri_too_long';
    case 415:
      return 'unsupported_media_type';
    case 429:
      return 'rate_limited';
    case 431:
      return 'headers_too_large';
    default:
      return 'bad_request';
  }
}

export function installErrorHandling(app: FastifyInstance, routes: RouteTable): void {
  app.setErrorHandler((err: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const { status, body } = toHttpError(err, request);
    if (status >= 500) request.log.error({ err, reqId: request.id }, 'request failed');
    // Client mistakes are routine; the request line (security.ts) already records the status.
    else request.log.debug({ code: body.error, status }, body.message);
    return reply.code(status).type('application/json; charset=utf-8').send(body);
  });

  app.setNotFoundHandler((request: FastifyRequest, reply: FastifyReply) => {
    const path = request.url.split('?')[0] ?? '/';
    const allowed = routes.allowedMethods(path);
    if (allowed.length > 0) {
      const body: ApiErrorBody = {
        error: 'method_not_allowed',
        message: `method ${request.method} is not allowed here; allowed: ${allowed.join(', ')}`,
      };
      return reply.code(405).header('allow', allowed.join(', ')).send(body);
    }
    // The path is attacker-chosen: bounded before it is echoed (JSON with nosniff, so never rendered).
    const shown = path.length > 200 ? path.slice(0, 200) + '…' : path;
    const body: ApiErrorBody = { error: 'not_found', message: `no route for ${request.method} ${shown}` };
    return reply.code(404).send(body);
  });
}
