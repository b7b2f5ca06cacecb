/**
 * A system error as a short phrase for one-line messages ("ENOSPC: no space left on the
 * device"). No imports: the CLI's start-up path (cli/output.ts) uses it.
 */
const REASONS: Record<string, string> = {
  ENOSPC: "no space left on the device",
  EDQUOT: "disk quota exceeded",
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  EROFS: "read-only file system",
  EPIPE: "the reader closed the pipe",
  EISDIR: "is a folder",
  ENOTDIR: "a part of the path is not a folder",
  ELOOP: "too many levels of symbolic links",
  ENAMETOOLONG: "the name is too long",
  EIO: "input/output error",
};

/** "ENOSPC: no space left on the device" for a system error, else its message's first line. */
export function systemReason(e: unknown): string {
  const code = (e as { code?: unknown })?.code;
  if (typeof code === "string") return REASONS[code] ? `${code}: ${REASONS[code]}` : code;
  return String((e as Error)?.message ?? e).split("\n")[0];
}
