import { BadRequestException, PayloadTooLargeException } from '@nestjs/common';
import { json, urlencoded, type NextFunction, type Request, type RequestHandler, type Response } from 'express';

/** A request whose exact bytes are kept, for providers that sign the raw body. */
export type RawBodyRequest = Request & { rawBody?: Buffer };

/**
 * JSON body parsing with the raw bytes kept (webhook signatures are computed over them)
 * and parser failures turned into errors that name the body: malformed JSON is a 400,
 * an oversized body a 413; neither reaches a handler.
 */
export function jsonBody(limit: string): RequestHandler[] {
  const parse = json({
    limit,
    verify: (req, _res, buf) => {
      (req as RawBodyRequest).rawBody = buf;
    },
  });
  const translate = (err: unknown, _req: Request, _res: Response, next: NextFunction) => {
    const type = (err as { type?: string }).type;
    if (type === 'entity.parse.failed') return next(new BadRequestException(`body: malformed JSON (${(err as Error).message})`));
    if (type === 'entity.too.large') return next(new PayloadTooLargeException(`body: larger than ${limit}`));
    if (type === 'encoding.unsupported' || type === 'charset.unsupported') {
      return next(new BadRequestException(`body: ${(err as Error).message}`));
    }
    return next(err);
  };
  // Twilio posts form-encoded fields; its signature covers the fields, not the raw bytes.
  const form = urlencoded({ extended: false, limit, parameterLimit: 200 });
  return [parse, form, translate as unknown as RequestHandler];
}
