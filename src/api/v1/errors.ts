// Expected HTTP failures of the /v1 API; the plugin's error handler renders them as problem+json.
export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export const unauthorized = (message = 'missing or invalid credentials; log in or send a valid API key') =>
  new ApiError(401, 'unauthorized', message);
export const forbidden = (message: string) => new ApiError(403, 'forbidden', message);
export const notFound = (what: string) => new ApiError(404, 'not_found', `${what} not found`);
export const conflict = (message: string) => new ApiError(409, 'conflict', message);
export const badRequest = (message: string) => new ApiError(400, 'invalid_request', message);

/** PostgreSQL unique_violation, e.g. a duplicate email or external id. */
export const isUniqueViolation = (e: unknown): boolean => (e as { code?: string }).code === '23505';
