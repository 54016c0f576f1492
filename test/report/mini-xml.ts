/**
 * Just enough XML to test the reports without a dependency: fails on unbalanced tags, unquoted attributes
 * and any `<` or `&` that is not markup or a known entity; returns every element with its decoded
 * attributes and text, in document order.
 */
export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  text: string;
  parent?: XmlElement;
}

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

function decode(raw: string): string {
  let out = "";
  for (let i = 0; i < raw.length; i++) {
    if (raw[i] === "<") throw new Error(`raw "<" in text or attribute: ${raw.slice(i, i + 30)}`);
    if (raw[i] !== "&") {
      out += raw[i];
      continue;
    }
    const end = raw.indexOf(";", i);
    const name = end === -1 ? "" : raw.slice(i + 1, end);
    const char = name.startsWith("#") ? String.fromCodePoint(Number(name.slice(1))) : ENTITIES[name];
    if (char === undefined || (name.startsWith("#") && !Number.isInteger(Number(name.slice(1)))))
      throw new Error(`bad entity at: ${raw.slice(i, i + 12)}`);
    out += char;
    i = end;
  }
  return out;
}

function parseTag(body: string): { name: string; attributes: Record<string, string> } {
  let i = 0;
  const skipSpace = () => {
    while (i < body.length && " \n\t\r".includes(body[i])) i++;
  };
  const word = () => {
    const start = i;
    while (i < body.length && !" \n\t\r=".includes(body[i])) i++;
    return body.slice(start, i);
  };
  const name = word();
  const attributes: Record<string, string> = {};
  for (skipSpace(); i < body.length; skipSpace()) {
    const key = word();
    if (body[i] !== "=" || body[i + 1] !== '"')
      throw new Error(`attribute ${key} of <${name}> is not ="quoted"`);
    const close = body.indexOf('"', i + 2);
    if (close === -1) throw new Error(`attribute ${key} of <${name}> never closes`);
    if (key in attributes) throw new Error(`attribute ${key} repeated in <${name}>`);
    attributes[key] = decode(body.slice(i + 2, close));
    i = close + 1;
  }
  return { name, attributes };
}

export function parseXml(xml: string): XmlElement[] {
  const elements: XmlElement[] = [];
  const open: XmlElement[] = [];
  let i = xml.startsWith("<?xml") ? xml.indexOf("?>") + 2 : 0;
  while (i < xml.length) {
    const lt = xml.indexOf("<", i);
    const text = decode(xml.slice(i, lt === -1 ? xml.length : lt));
    if (open.length > 0) open[open.length - 1].text += text;
    else if (text.trim()) throw new Error(`text outside the root element: ${text.slice(0, 30)}`);
    if (lt === -1) break;
    const gt = xml.indexOf(">", lt);
    if (gt === -1) throw new Error("a tag never closes");
    const tag = xml.slice(lt + 1, gt);
    if (tag.startsWith("/")) {
      const expected = open.pop();
      if (expected?.name !== tag.slice(1)) throw new Error(`</${tag.slice(1)}> closes <${expected?.name}>`);
    } else {
      const selfClosing = tag.endsWith("/");
      const { name, attributes } = parseTag(selfClosing ? tag.slice(0, -1) : tag);
      if (open.length === 0 && elements.length > 0) throw new Error(`a second root element <${name}>`);
      const el: XmlElement = { name, attributes, text: "", parent: open[open.length - 1] };
      elements.push(el);
      if (!selfClosing) open.push(el);
    }
    i = gt + 1;
  }
  if (open.length > 0) throw new Error(`<${open[open.length - 1].name}> never closed`);
  return elements;
}
