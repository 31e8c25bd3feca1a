import { RampartError } from '../../core/index.js';

/** An input that cannot be read: missing, a directory, corrupt gzip data... Names the input. */
export class InputError extends RampartError {
  constructor(
    readonly input: string,
    problem: string,
    options?: { cause?: unknown },
  ) {
    super('bad_request', `${input}: ${problem}`, options);
  }
}

/** Turns a system error into a message a user can act on. */
export function describeFsError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  switch (code) {
    case 'ENOENT':
      return 'no such file';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'is a directory, not a file';
    default:
      return err instanceof Error ? err.message : String(err);
  }
}
