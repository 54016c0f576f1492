/** An error whose message is the whole story for a person (it names the file and what is wrong with it): a CLI
 * prints it without a stack trace. */
export class ExplainedError extends Error {}
