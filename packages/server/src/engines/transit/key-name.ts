/**
 * Vault's GenericNameRegex for key names: word characters, dots and dashes, starting and ending with a
 * word character. No slash can appear, so a name is always one storage path segment.
 */
export const KEY_NAME = String.raw`(?<name>\w(?:[\w.-]*\w)?)`;

/** Vault's OptionalParamRegex: an optional trailing `/<value>` segment (and anything after it). */
export const optionalParam = (param: string): string => String.raw`(?:/(?<${param}>.+))?`;
