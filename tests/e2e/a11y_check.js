// Trustmark's own accessibility check, run in the page by tests/e2e/test_accessibility.py.
//
// It inspects the rendered DOM and computed styles (what a browser user gets), and returns
// a list of violations, each "rule: selector-ish description: detail":
//   label     every visible input, select and textarea has an accessible name
//   h1        exactly one <h1>
//   heading   heading levels never skip a level going down (h1 -> h3)
//   contrast  text against its background: 4.5:1, or 3:1 for large text (WCAG 2 AA)
//   img-alt   every <img> has an alt attribute ("" for decoration)
//   lang      <html lang> is set
//   name      every link and button has a name (text, aria-label, aria-labelledby, img alt)
() => {
  const violations = [];
  const add = (rule, el, detail) =>
    violations.push(`${rule}: ${describe(el)}${detail ? ": " + detail : ""}`);

  const squash = (text) => (text || "").replace(/\s+/g, " ").trim();

  function describe(el) {
    if (!el || !el.tagName) return "document";
    let s = el.tagName.toLowerCase();
    if (el.id) s += "#" + el.id;
    else if (el.getAttribute("name")) s += `[name="${el.getAttribute("name")}"]`;
    const classes = [...el.classList].slice(0, 3);
    if (classes.length) s += "." + classes.join(".");
    const parent = el.parentElement && el.parentElement.closest("[id], main, nav, header, footer, form, section");
    if (parent && parent !== el) {
      const p = parent.id ? "#" + parent.id : parent.tagName.toLowerCase();
      s = `${p} ${s}`;
    }
    const text = squash(el.textContent).slice(0, 40);
    return text ? `${s} "${text}"` : s;
  }

  function visible(el) {
    if (!el.checkVisibility({ visibilityProperty: true })) return false;
    const rect = el.getBoundingClientRect();
    return rect.width > 1 && rect.height > 1; // not the 1px "visually hidden" pattern
  }

  function textOf(ids) {
    return squash(
      (ids || "")
        .split(/\s+/)
        .map((id) => document.getElementById(id))
        .filter(Boolean)
        .map((node) => node.textContent)
        .join(" "),
    );
  }

  function labelName(el) {
    if (squash(el.getAttribute("aria-label"))) return true;
    if (textOf(el.getAttribute("aria-labelledby"))) return true;
    if (el.labels && [...el.labels].some((label) => squash(label.textContent))) return true;
    return false;
  }

  // (a) form fields have a name
  for (const el of document.querySelectorAll("input, select, textarea")) {
    const type = (el.getAttribute("type") || "").toLowerCase();
    if (["hidden", "submit", "button", "reset", "image"].includes(type)) continue;
    // Hidden by display or visibility; a visually hidden (clipped) field still needs a name.
    if (!el.checkVisibility({ visibilityProperty: true })) continue;
    if (!labelName(el)) add("label", el, "no <label>, aria-label or aria-labelledby");
  }

  // (b) one h1, no skipped levels
  const headings = [...document.querySelectorAll("h1, h2, h3, h4, h5, h6")].filter((h) =>
    h.checkVisibility({ visibilityProperty: true }),
  );
  const h1s = headings.filter((h) => h.tagName === "H1");
  if (h1s.length !== 1) {
    add("h1", document.documentElement, `${h1s.length} <h1> (${h1s.map(describe).join(", ")})`);
  }
  let previous = 1;
  for (const h of headings) {
    const level = Number(h.tagName[1]);
    if (level > previous + 1) add("heading", h, `h${previous} -> h${level}`);
    previous = level;
  }

  // (c) contrast
  const parse = (value) => {
    const m = value.match(/rgba?\(([^)]+)\)/);
    if (!m) return null;
    const parts = m[1].split(/[\s,/]+/).filter(Boolean).map(Number);
    return { r: parts[0], g: parts[1], b: parts[2], a: parts.length > 3 ? parts[3] : 1 };
  };
  const over = (top, bottom) => ({
    r: top.r * top.a + bottom.r * (1 - top.a),
    g: top.g * top.a + bottom.g * (1 - top.a),
    b: top.b * top.a + bottom.b * (1 - top.a),
    a: 1,
  });
  const luminance = (c) => {
    const [r, g, b] = [c.r, c.g, c.b].map((v) => {
      const s = v / 255;
      return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const ratio = (a, b) => {
    const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
    return (hi + 0.05) / (lo + 0.05);
  };
  const hex = (c) =>
    "#" + [c.r, c.g, c.b].map((v) => Math.round(v).toString(16).padStart(2, "0")).join("");

  function background(el) {
    // The first non-transparent background-color up the tree; translucent ones are
    // blended over what lies beneath, down to white (the canvas).
    const layers = [];
    for (let node = el; node && node.nodeType === 1; node = node.parentElement) {
      const style = getComputedStyle(node);
      if (style.backgroundImage && style.backgroundImage !== "none") {
        return { image: node };
      }
      const color = parse(style.backgroundColor);
      if (color && color.a > 0) {
        layers.push(color);
        if (color.a >= 1) break;
      }
    }
    let result = { r: 255, g: 255, b: 255, a: 1 };
    for (const layer of layers.reverse()) result = over(layer, result);
    return { color: result };
  }

  function opacity(el) {
    let value = 1;
    for (let node = el; node && node.nodeType === 1; node = node.parentElement) {
      value *= Number(getComputedStyle(node).opacity);
    }
    return value;
  }

  for (const el of document.body.querySelectorAll("*")) {
    if (["SCRIPT", "STYLE", "OPTION", "NOSCRIPT", "TEMPLATE"].includes(el.tagName)) continue;
    if (el.closest("svg")) continue;
    const ownText = [...el.childNodes]
      .filter((node) => node.nodeType === Node.TEXT_NODE)
      .map((node) => node.textContent)
      .join("");
    if (!squash(ownText)) continue;
    if (!visible(el)) continue;
    if (el.closest(":disabled, [aria-disabled=true]")) continue; // WCAG exempts inactive controls
    const style = getComputedStyle(el);
    const bg = background(el);
    if (bg.image) continue; // a gradient or picture: not decidable here
    const fg = parse(style.color);
    if (!fg) continue;
    fg.a *= opacity(el);
    const text = fg.a < 1 ? over(fg, bg.color) : fg;
    const size = parseFloat(style.fontSize);
    const bold = Number(style.fontWeight) >= 700;
    const large = size >= 24 || (size >= 18.66 && bold);
    const needed = large ? 3 : 4.5;
    const value = ratio(text, bg.color);
    if (value < needed) {
      add(
        "contrast",
        el,
        `${value.toFixed(2)}:1 < ${needed}:1 (${hex(text)} on ${hex(bg.color)}, ${size}px${bold ? " bold" : ""})`,
      );
    }
  }

  // (d) images, language, link and button names
  for (const img of document.querySelectorAll("img")) {
    if (!img.hasAttribute("alt")) add("img-alt", img, `src=${img.getAttribute("src")}`);
  }
  if (!squash(document.documentElement.getAttribute("lang"))) {
    add("lang", document.documentElement, "<html> has no lang");
  }
  for (const el of document.querySelectorAll("a[href], button")) {
    if (!el.checkVisibility({ visibilityProperty: true })) continue;
    const named =
      squash(el.textContent) ||
      squash(el.getAttribute("aria-label")) ||
      textOf(el.getAttribute("aria-labelledby")) ||
      [...el.querySelectorAll("img[alt]")].some((img) => squash(img.alt)) ||
      [...el.querySelectorAll("svg[aria-label]")].some((svg) => squash(svg.getAttribute("aria-label")));
    if (!named) add("name", el, `no text or aria-label (href=${el.getAttribute("href")})`);
  }
  return violations;
};
