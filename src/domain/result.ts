// Expected failures are values; programming errors throw (STYLE.md).
export interface AppError {
  code: string;
  message: string;
  /** The input field or path the error is about, when there is one. */
  field?: string;
}

export type Result<T, E = AppError> = { ok: true; value: T } | { ok: false; error: E };

export const ok = <T>(value: T): Result<T, never> => ({ ok: true, value });
export const err = (code: string, message: string, field?: string): Result<never> => ({
  ok: false,
  error: field === undefined ? { code, message } : { code, message, field },
});
