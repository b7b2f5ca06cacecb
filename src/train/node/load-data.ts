/** Data sets for the CLI (Node): built-in names, or a CSV file read from disk. */
import { InputError, readBytes } from "../../io/files.ts";
import { FormatError } from "../../io/network-json.ts";
import { parseCsvDataset } from "../data/csv.ts";
import type { Dataset } from "../data/dataset.ts";
import { builtinDataset, type DataSpec, isBuiltin } from "../data/index.ts";

export async function loadDataset(spec: DataSpec): Promise<Dataset> {
  if (isBuiltin(spec.source)) {
    try {
      return await builtinDataset(spec);
    } catch (e) {
      throw new InputError(`--data ${spec.source}: ${(e as Error).message}`);
    }
  }
  if (!/\.(csv|txt)$/i.test(spec.source)) throw new InputError(`--data ${spec.source}: not a built-in data set and not a .csv file`);
  const text = readBytes(spec.source, "CSV file").toString("utf8");
  try {
    return parseCsvDataset(text, spec.source, { target: spec.target });
  } catch (e) {
    if (e instanceof FormatError) throw new InputError(e.message);
    throw e;
  }
}
