/**
 * Writing output files safely (Node only). Every command that writes a file goes through
 * `writeFileAtomic`:
 *
 * - a regular file is replaced atomically: the data goes to a temporary file beside it, is
 *   flushed to disk, then renamed over the target, so an interrupted or failed write never
 *   leaves a half-written file where a good one was (and never leaves the temporary file);
 * - a symbolic link is written through: its final target is replaced, the link stays;
 * - a device, FIFO, socket or folder is refused with one line (`/dev/null`, `/dev/full` are never
 *   replaced by a file); `-` means standard output;
 * - a missing parent folder is an error naming it, unless the caller owns the folder layout
 *   (a training run's folders) and asks for it to be created;
 * - system errors (no space left, permission denied, a closed pipe) are one line.
 */
import { closeSync, fsyncSync, lstatSync, mkdirSync, openSync, readlinkSync, renameSync, type Stats, statSync, unlinkSync, writeSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { InputError } from "./read.ts";
import { systemReason } from "./system-reason.ts";

export { systemReason } from "./system-reason.ts";

export interface WriteOptions {
  /** Create missing parent folders (for folder layouts tessera owns, such as a run folder). */
  createFolders?: boolean;
}

function statOrNull(path: string, follow: boolean): Stats | null {
  try {
    return follow ? statSync(path) : lstatSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw new InputError(`${path}: cannot write (${systemReason(e)})`);
  }
}

/** What kind of non-regular file this is, for the refusal. */
function kindOf(st: Stats): string {
  if (st.isDirectory()) return "a folder";
  if (st.isCharacterDevice() || st.isBlockDevice()) return "a device";
  if (st.isFIFO()) return "a FIFO (named pipe)";
  if (st.isSocket()) return "a socket";
  return "not a regular file";
}

/** The path a write to `path` lands on: itself, or the final target of a chain of symbolic links. */
function finalTarget(path: string): { target: string; stats: Stats | null } {
  let target = resolve(path);
  for (let hops = 0; hops < 40; hops++) {
    const st = statOrNull(target, false);
    if (!st?.isSymbolicLink()) return { target, stats: st };
    target = resolve(dirname(target), readlinkSync(target));
  }
  throw new InputError(`${path}: cannot write (${systemReason({ code: "ELOOP" })})`);
}

function writeAll(fd: number, data: Uint8Array): void {
  let offset = 0;
  while (offset < data.length) offset += writeSync(fd, data, offset, data.length - offset);
}

/** Write to standard output (`-`), synchronously, with one-line errors. */
function writeStdout(data: string | Uint8Array): void {
  try {
    writeAll(1, typeof data === "string" ? Buffer.from(data) : data);
  } catch (e) {
    throw new InputError(`cannot write standard output (${systemReason(e)})`);
  }
}

/** Where a write to `path` will land, with the refusals of writeFileAtomic; creates no folder. */
function destination(path: string, options: WriteOptions): { target: string; stats: Stats | null; shown: string; folderMissing: boolean } {
  if (path === "") throw new InputError("cannot write a file with an empty name");
  const { target, stats } = finalTarget(path);
  const shown = target === resolve(path) ? path : `${path} (a link to ${target})`;
  if (stats && !stats.isFile()) throw new InputError(`${shown}: is ${kindOf(stats)}; tessera writes regular files only (use - for standard output)`);
  const dir = dirname(target);
  const folder = statOrNull(dir, true);
  if (folder && !folder.isDirectory()) throw new InputError(`${shown}: ${dir} is not a folder`);
  if (!folder && !options.createFolders) throw new InputError(`${shown}: the folder ${dirname(path) === "." ? dir : dirname(path)} does not exist`);
  return { target, stats, shown, folderMissing: !folder };
}

/**
 * The same refusals as writeFileAtomic, before any work: a command checks its output path
 * first, so a long computation never ends in "the folder does not exist".
 */
export function checkWritable(path: string, options: WriteOptions = {}): void {
  if (path !== "-") destination(path, options);
}

/** Write a file atomically (see the top of this file). `-` writes to standard output. */
export function writeFileAtomic(path: string, data: string | Uint8Array, options: WriteOptions = {}): void {
  if (path === "-") {
    writeStdout(data);
    return;
  }
  const { target, stats, shown, folderMissing } = destination(path, options);
  const dir = dirname(target);
  if (folderMissing) {
    try {
      mkdirSync(dir, { recursive: true });
    } catch (e) {
      throw new InputError(`${shown}: cannot create the folder ${dir} (${systemReason(e)})`);
    }
  }

  const bytes = typeof data === "string" ? Buffer.from(data) : data;
  const tmp = join(dir, `.${basename(target)}.tessera-${process.pid}-${Date.now().toString(36)}.tmp`);
  let fd: number | null = null;
  try {
    // A replaced file keeps its permissions; a new one gets the usual 0666 minus the umask.
    fd = openSync(tmp, "wx", stats ? stats.mode & 0o7777 : 0o666);
    writeAll(fd, bytes);
    fsyncSync(fd);
    closeSync(fd);
    fd = null;
    renameSync(tmp, target);
  } catch (e) {
    if (fd !== null) {
      try {
        closeSync(fd);
      } catch {
        // Already failing: the first error is the one to report.
      }
    }
    try {
      unlinkSync(tmp);
    } catch {
      // Never created (EACCES on the folder) or already gone.
    }
    throw new InputError(`${shown}: cannot write (${systemReason(e)})`);
  }
}
