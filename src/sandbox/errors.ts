/** The one error type handlers throw; the pipeline turns it into `{message, errors}` JSON. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly errors: string[] | null = null,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** 400 with the usual validation message and a list of errors. */
export function badRequest(errors: string[], message = 'One or more validation errors occurred.'): ApiError {
  return new ApiError(400, message, errors);
}

/** 404 for an unknown id. */
export function notFound(message: string): ApiError {
  return new ApiError(404, message, null);
}
