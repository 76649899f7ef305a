/** A template that does not parse or fails to execute; the message is Go's `template: name:line:col: …`. */
export class TemplateError extends Error {
  override readonly name = 'TemplateError';
}
