/** Characters XML 1.0 forbids outright: a witness may carry them (a log line, a half-written event). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
const FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;

const ENTITIES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/** Text safe in XML, SVG and HTML, as content or as a quoted attribute value. */
export const escapeXml = (text: string): string =>
  text.replace(FORBIDDEN, "").replace(/[&<>"']/g, (c) => ENTITIES[c]);

export type Attributes = Record<string, string | number | undefined>;

/** Coordinates to a tenth of a pixel are plenty and keep the markup small. */
const attributeValue = (value: string | number) =>
  typeof value === "number" ? String(Math.round(value * 10) / 10) : value;

/** One XML or SVG element (empty ones self-close, so not for HTML); children are markup already (escape text with escapeXml). Undefined attributes are left out. */
export function element(name: string, attributes: Attributes = {}, ...children: string[]): string {
  const attrs = Object.entries(attributes)
    .filter((entry): entry is [string, string | number] => entry[1] !== undefined)
    .map(([key, value]) => ` ${key}="${escapeXml(attributeValue(value))}"`)
    .join("");
  return children.length === 0 ? `<${name}${attrs}/>` : `<${name}${attrs}>${children.join("")}</${name}>`;
}

/** An element holding plain text, escaped. */
export const textElement = (name: string, attributes: Attributes, text: string): string =>
  element(name, attributes, escapeXml(text));
