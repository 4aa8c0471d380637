/** A state archive that cannot be imported (damaged, another format version, another master key…): a 400 / exit 1, never a crash. */
export class StateArchiveError extends Error {
  override name = 'StateArchiveError';
}
