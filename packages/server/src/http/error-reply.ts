import { CofferError, toCofferError, type Logger } from '@coffer/sdk';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { HTTP_STATUS } from './status-map.js';

/** Fastify's own failures (before our handlers run), translated into our codes with clear words. */
function fromFastify(error: FastifyError): CofferError | undefined {
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new CofferError('payload_too_large', 'http: request body too large');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new CofferError('unsupported_media_type', 'unsupported content type');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
    case 'FST_ERR_BAD_URL':
    case 'FST_ERR_ASYNC_CONSTRAINT':
      return new CofferError('invalid_request', error.message);
    default:
      if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
        return new CofferError('invalid_request', error.message);
      }
      return undefined;
  }
}

/**
 * Replies with Vault's error body. 5xx replies never carry internals: an internal error is logged
 * in full with the request id, and the client sees only "internal error".
 */
export function sendError(error: unknown, request: FastifyRequest, reply: FastifyReply, logger: Logger): void {
  const known = isFastifyError(error) ? (fromFastify(error) ?? toCofferError(error)) : toCofferError(error);
  const status = HTTP_STATUS[known.code];
  if (known.code === 'internal') {
    logger.error({ err: error, reqId: request.id }, 'internal error');
  }
  const message = known.code === 'internal' ? 'internal error' : known.message;
  const errors = known.code === 'not_found' && message === '' ? [] : [message];
  void reply
    .code(status)
    .header('cache-control', 'no-store')
    .type('application/json')
    .send({ errors, ...(known.data ? { data: known.data } : {}) });
}

function isFastifyError(error: unknown): error is FastifyError {
  return error instanceof Error && typeof (error as { code?: unknown }).code === 'string' && !(error instanceof CofferError);
}
