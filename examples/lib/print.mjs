// Terminal output for the demo: every line fits WIDTH columns, wrapped at spaces (never inside a word), with a
// hanging indent for continuation lines. A word longer than a line is never cut: `fits()` tells the caller so it
// can print something shorter instead.
export const WIDTH = 100;

/** Wraps `text` (one or more lines) at spaces; continuation lines get `indent` plus `hang` spaces. */
export function wrap(text, { indent = "   ", hang = "  ", width = WIDTH } = {}) {
  const out = [];
  for (const raw of String(text).split("\n")) {
    const lead = raw.match(/^ */)[0];
    const words = raw
      .slice(lead.length)
      .split(/ +/)
      .filter((w) => w !== "");
    let line = indent + lead;
    let empty = true;
    for (const word of words) {
      if (!empty && line.length + 1 + word.length > width) {
        out.push(line);
        line = indent + lead + hang;
        empty = true;
      }
      line += (empty ? "" : " ") + word;
      empty = false;
    }
    out.push(line.trimEnd());
  }
  return out.join("\n");
}

/** True when every word of `text` fits a line of `width` after `indent` and `hang`. */
export function fits(text, { indent = "   ", hang = "  ", width = WIDTH } = {}) {
  return String(text)
    .split(/\s+/)
    .every((word) => indent.length + hang.length + word.length <= width);
}

/** Prints `text` wrapped (see {@link wrap}). */
export function say(text, options) {
  console.log(wrap(text, options));
}
