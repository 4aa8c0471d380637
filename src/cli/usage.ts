/** A command used wrongly: its message is the usage (exit code 2). */
export class UsageError extends Error {}
