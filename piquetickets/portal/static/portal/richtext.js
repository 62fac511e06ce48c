// Rich text fields (textarea[data-rich-text], drawn by core.widgets.RichTextarea): a show's, a ticket
// type's and a venue's description, a performer's and the producer's bio.
//
// Without this script the field is a textarea for HTML, sanitised on save. With it the textarea is
// hidden and an editor takes its place: a toolbar (role="toolbar", one tab stop, arrow keys between
// its buttons, Alt+F10 from the text to reach it, Escape back) and an editable box (role="textbox")
// named by the field's label and described by its hint and error. Every change is written back into
// the textarea as HTML, so the form posts what it always posted.
//
// The editor makes only what the server keeps (core.fields.ALLOWED_TAGS): execCommand with
// styleWithCSS off makes <b>, <i>, <h3>, <ul>, <ol>, <a>, never style attributes, and the HTML
// written back is rebuilt from an allow-list, so a <span style> the browser adds while editing never
// leaves the page. Pasted or dropped text comes in as plain text, blank lines making paragraphs.
// Links are http(s) or mailto only.

const ALLOWED_TAGS = new Set([
  "a", "b", "blockquote", "br", "code", "del", "div", "em", "h1", "h2", "h3", "h4", "hr", "i", "li",
  "ol", "p", "pre", "s", "strong", "u", "ul",
]);
const DROPPED_WITH_CONTENT = new Set([
  "head", "iframe", "noscript", "object", "script", "style", "template", "title",
]);
const BLOCK_TAGS = new Set(["blockquote", "div", "h1", "h2", "h3", "h4", "hr", "ol", "p", "pre", "ul"]);
const TEXT_BLOCKS = new Set(["h1", "h2", "h3", "h4", "p"]);
const LINK_SCHEMES = new Set(["http:", "https:", "mailto:"]);
const SVG = "http://www.w3.org/2000/svg";
const MAC = /Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent);

// The toolbar. An icon is a letter or a drawing (SVG shapes on a 24×24 grid, stroked in the text colour).
const BUTTONS = [
  { name: "bold", label: "Bold", command: "bold", toggle: true, key: "B", letter: "B" },
  { name: "italic", label: "Italic", command: "italic", toggle: true, key: "I", letter: "I" },
  { name: "heading", label: "Heading", toggle: true, letter: "H" },
  { separator: true },
  {
    name: "bullets", label: "Bulleted list", command: "insertUnorderedList", toggle: true,
    shapes: [
      ["circle", { cx: 5, cy: 6, r: 1.6, fill: "currentColor", stroke: "none" }],
      ["circle", { cx: 5, cy: 12, r: 1.6, fill: "currentColor", stroke: "none" }],
      ["circle", { cx: 5, cy: 18, r: 1.6, fill: "currentColor", stroke: "none" }],
      ["path", { d: "M10 6h10M10 12h10M10 18h10" }],
    ],
  },
  {
    name: "numbers", label: "Numbered list", command: "insertOrderedList", toggle: true,
    shapes: [
      ["path", { d: "M3.5 4.5 5 3.5v5M3.5 8.5h3" }],
      ["path", { d: "M3.5 14.5c0-2 3-2 3 0 0 1.2-3 2-3 4.5h3" }],
      ["path", { d: "M10 6h10M10 12h10M10 18h10" }],
    ],
  },
  { separator: true },
  {
    name: "link", label: "Link", key: "K",
    shapes: [
      ["path", { d: "M10.5 13.5a3.5 3.5 0 0 0 5 0l3.5-3.5a3.5 3.5 0 0 0-5-5l-1 1" }],
      ["path", { d: "M13.5 10.5a3.5 3.5 0 0 0-5 0L5 14a3.5 3.5 0 0 0 5 5l1-1" }],
    ],
  },
  {
    name: "unlink", label: "Remove link", command: "unlink",
    shapes: [
      ["path", { d: "M14 6l1-1a3.5 3.5 0 0 1 5 5l-2 2" }],
      ["path", { d: "M10 18l-1 1a3.5 3.5 0 0 1-5-5l2-2" }],
      ["path", { d: "M4 4l16 16" }],
    ],
  },
  { separator: true },
  {
    name: "undo", label: "Undo", command: "undo", key: "Z",
    shapes: [["path", { d: "M8.5 14 4 9.5 8.5 5M4 9.5h10a5.5 5.5 0 0 1 0 11h-3" }]],
  },
  {
    name: "redo", label: "Redo", command: "redo", key: MAC ? "Shift+Z" : "Y",
    shapes: [["path", { d: "M15.5 14 20 9.5 15.5 5M20 9.5H10a5.5 5.5 0 0 0 0 11h3" }]],
  },
];

// --- HTML in and out: only the allowed tags, links with a safe address -----------------------------

function escapeHtml(text) {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

export function safeHref(value) {
  try {
    const url = new URL(value.trim());
    return LINK_SCHEMES.has(url.protocol) ? url.href : null;
  } catch {
    return null;
  }
}

// Copies the allowed elements of `source` into `target` (elements of other tags give their content,
// except scripts and the like, which are dropped whole). Attributes: a link's href and title only.
function copyAllowed(source, target) {
  for (const node of source.childNodes) {
    if (node.nodeType === Node.TEXT_NODE) {
      target.append(node.data);
      continue;
    }
    if (node.nodeType !== Node.ELEMENT_NODE) {
      continue;
    }
    const tag = node.localName;
    if (DROPPED_WITH_CONTENT.has(tag)) {
      continue;
    }
    if (!ALLOWED_TAGS.has(tag)) {
      copyAllowed(node, target);
      continue;
    }
    const copy = document.createElement(tag);
    if (tag === "a") {
      const href = safeHref(node.getAttribute("href") || "");
      if (!href) {
        copyAllowed(node, target);
        continue;
      }
      copy.setAttribute("href", href);
      if (node.title) {
        copy.setAttribute("title", node.title);
      }
    }
    copyAllowed(node, copy);
    target.append(copy);
  }
}

// Plain text as paragraphs: a blank line starts a new one, a single line break stays a line break.
function textToParagraphs(text) {
  return text
    .replace(/\r\n?/g, "\n")
    .split(/\n[ \t]*\n\s*/)
    .map((part) => part.trim())
    .filter(Boolean);
}

function textToHtml(text) {
  return textToParagraphs(text)
    .map((part) => `<p>${escapeHtml(part).replace(/\n/g, "<br>")}</p>`)
    .join("");
}

// The field's HTML as nodes for the editor. A value without tags (typed before there was an editor)
// is plain text; its blank lines become paragraphs.
function parseValue(value) {
  const html = /<[a-z][^>]*>/i.test(value) ? value : textToHtml(value);
  // DOMParser's document is inert: nothing in it loads or runs.
  const parsed = new DOMParser().parseFromString(html, "text/html");
  const fragment = document.createDocumentFragment();
  copyAllowed(parsed.body, fragment);
  return fragment;
}

// A block inside a paragraph or heading (Chromium puts the list it makes of a paragraph inside that
// paragraph) split out of it: <p>a<ul>…</ul>b</p> is <p>a</p><ul>…</ul><p>b</p>.
function splitOutBlocks(node) {
  if (node.nodeType !== Node.ELEMENT_NODE) {
    return [node];
  }
  const holdsBlocks = [...node.children].some((child) => BLOCK_TAGS.has(child.localName));
  if (!TEXT_BLOCKS.has(node.localName) || !holdsBlocks) {
    for (const child of [...node.children]) {
      child.replaceWith(...splitOutBlocks(child));
    }
    return [node];
  }
  const parts = [];
  const runs = new Set();
  let run = null;
  for (const child of [...node.childNodes]) {
    if (child.nodeType === Node.ELEMENT_NODE && BLOCK_TAGS.has(child.localName)) {
      run = null;
      parts.push(...splitOutBlocks(child));
    } else {
      if (!run) {
        run = document.createElement(node.localName);
        runs.add(run);
        parts.push(run);
      }
      run.append(child);
    }
  }
  return parts.filter((part) => !runs.has(part) || part.children.length || part.textContent.trim());
}

function isBlank(node) {
  if (node.nodeType === Node.TEXT_NODE) {
    return !node.data.trim();
  }
  return node.localName !== "hr" && !node.querySelector("hr") && !node.textContent.trim();
}

// The editor's content as the HTML the field posts: the allowed tags only, text outside any block
// put in paragraphs, the line breaks and empty paragraphs browsers keep as caret holders dropped.
function serialize(editor) {
  const clean = document.createElement("div");
  copyAllowed(editor, clean);
  const out = document.createElement("div");
  let paragraph = null;
  for (const node of [...clean.childNodes].flatMap(splitOutBlocks)) {
    if (node.nodeType === Node.ELEMENT_NODE && BLOCK_TAGS.has(node.localName)) {
      paragraph = null;
      out.append(node);
    } else if (paragraph || node.nodeType !== Node.TEXT_NODE || node.data.trim()) {
      if (!paragraph) {
        paragraph = document.createElement("p");
        out.append(paragraph);
      }
      paragraph.append(node);
    }
  }
  for (const block of out.querySelectorAll("p, li, h1, h2, h3, h4, div, blockquote")) {
    const last = block.lastChild;
    if (last && last.nodeName === "BR" && last.previousSibling) {
      last.remove();
    }
  }
  while (out.firstChild && isBlank(out.firstChild)) {
    out.firstChild.remove();
  }
  while (out.lastChild && isBlank(out.lastChild)) {
    out.lastChild.remove();
  }
  return out.innerHTML;
}

// --- building the editor ---------------------------------------------------------------------------

function element(tag, attributes = {}, children = []) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    node.setAttribute(name, value);
  }
  node.append(...children);
  return node;
}

function icon(spec) {
  if (spec.letter) {
    const letterClass = `rich-text-editor__letter rich-text-editor__letter--${spec.name}`;
    return element("span", { class: letterClass, "aria-hidden": "true" }, [spec.letter]);
  }
  const svg = document.createElementNS(SVG, "svg");
  for (const [name, value] of Object.entries({
    class: "rich-text-editor__icon", viewBox: "0 0 24 24", "aria-hidden": "true", focusable: "false",
    fill: "none", stroke: "currentColor", "stroke-width": "2",
    "stroke-linecap": "round", "stroke-linejoin": "round",
  })) {
    svg.setAttribute(name, value);
  }
  for (const [tag, attributes] of spec.shapes) {
    const shape = document.createElementNS(SVG, tag);
    for (const [name, value] of Object.entries(attributes)) {
      shape.setAttribute(name, String(value));
    }
    svg.append(shape);
  }
  return svg;
}

function shortcut(key) {
  return MAC ? `⌘${key.replace("Shift+", "⇧")}` : `Ctrl+${key}`;
}

function enhance(textarea) {
  const id = textarea.id || `rich-text-${Math.random().toString(36).slice(2)}`;
  const label = textarea.id ? document.querySelector(`label[for="${CSS.escape(textarea.id)}"]`) : null;

  // The editable box. It takes the label over: the label's "for" would point at a hidden textarea
  // (and name it too), so it names the box instead, and a click on it puts the caret in the box.
  const editor = element("div", {
    class: "rich-text-editor__content",
    id: `${id}_editor`,
    contenteditable: "true",
    role: "textbox",
    "aria-multiline": "true",
    spellcheck: "true",
  });
  if (label) {
    label.id ||= `${id}_label`;
    label.removeAttribute("for");
    editor.setAttribute("aria-labelledby", label.id);
    label.addEventListener("click", () => editor.focus());
  } else if (textarea.getAttribute("aria-label")) {
    editor.setAttribute("aria-label", textarea.getAttribute("aria-label"));
  }
  for (const name of ["aria-describedby", "aria-invalid", "aria-required"]) {
    if (textarea.hasAttribute(name)) {
      editor.setAttribute(name, textarea.getAttribute(name));
    }
  }
  if (textarea.required) {
    editor.setAttribute("aria-required", "true");
  }
  editor.append(parseValue(textarea.value));
  if (!editor.firstChild) {
    editor.append(element("p", {}, [element("br")]));
  }

  const toolbar = element("div", {
    class: "rich-text-editor__toolbar",
    role: "toolbar",
    "aria-label": "Formatting",
    "aria-controls": editor.id,
  });
  const buttons = {};
  for (const spec of BUTTONS) {
    if (spec.separator) {
      toolbar.append(element("span", { class: "rich-text-editor__separator", "aria-hidden": "true" }));
      continue;
    }
    const button = element(
      "button",
      { type: "button", class: "rich-text-editor__button", tabindex: "-1", "data-command": spec.name },
      [icon(spec), element("span", { class: "visually-hidden" }, [spec.label])],
    );
    button.title = spec.key ? `${spec.label} (${shortcut(spec.key)})` : spec.label;
    if (spec.key) {
      button.setAttribute("aria-keyshortcuts", `${MAC ? "Meta" : "Control"}+${spec.key}`);
    }
    if (spec.toggle) {
      button.setAttribute("aria-pressed", "false");
    }
    buttons[spec.name] = button;
    toolbar.append(button);
  }
  const toolbarButtons = [...toolbar.querySelectorAll("button")];
  toolbarButtons[0].tabIndex = 0;

  // The link's address, asked for in place (a panel under the toolbar, not a <form>: it sits in one).
  const linkInput = element("input", {
    class: "rich-text-editor__link-input",
    id: `${id}_link_address`,
    type: "url",
    inputmode: "url",
    autocomplete: "off",
    spellcheck: "false",
    "aria-describedby": `${id}_link_hint ${id}_link_error`,
  });
  const linkError = element("p", {
    class: "rich-text-editor__link-error",
    id: `${id}_link_error`,
    role: "alert",
  });
  const linkApply = element("button", { type: "button", class: "btn btn--primary btn--small" }, ["Add link"]);
  const linkCancel = element("button", { type: "button", class: "btn btn--secondary btn--small" }, ["Cancel"]);
  const linkPanel = element("div", { class: "rich-text-editor__link", id: `${id}_link`, hidden: "" }, [
    element("label", { class: "rich-text-editor__link-label", for: linkInput.id }, ["Link to"]),
    element("p", { class: "rich-text-editor__link-hint", id: `${id}_link_hint` }, [
      "A web address (https://…) or an email address.",
    ]),
    element("div", { class: "rich-text-editor__link-row" }, [linkInput, linkApply, linkCancel]),
    linkError,
  ]);
  buttons.unlink.setAttribute("aria-disabled", "true");
  buttons.link.setAttribute("aria-expanded", "false");
  buttons.link.setAttribute("aria-controls", linkPanel.id);

  const wrapper = element("div", { class: "rich-text-editor" }, [toolbar, linkPanel, editor]);
  textarea.before(wrapper);
  textarea.hidden = true;

  // --- the selection: remembered while the focus is on the toolbar or in the link panel -------------

  let savedRange = null;
  const selectionInEditor = () => {
    const selection = document.getSelection();
    const range = selection && selection.rangeCount ? selection.getRangeAt(0) : null;
    return range && editor.contains(range.commonAncestorContainer) ? range : null;
  };
  const restoreSelection = () => {
    if (document.activeElement === editor && selectionInEditor()) {
      return;
    }
    // A copy taken before the focus moves: focusing the text may move the caret, and what listens to
    // that may write savedRange.
    const range = savedRange && editor.contains(savedRange.commonAncestorContainer) ? savedRange.cloneRange() : null;
    editor.focus({ preventScroll: true });
    if (range) {
      const selection = document.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      savedRange = range.cloneRange();
    }
  };
  const closest = (tag) => {
    const range = selectionInEditor() || savedRange;
    let node = range ? range.startContainer : null;
    while (node && node !== editor) {
      if (node.nodeType === Node.ELEMENT_NODE && node.matches(tag)) {
        return node;
      }
      node = node.parentNode;
    }
    return null;
  };

  // --- keeping the textarea and the buttons up to date ----------------------------------------------

  let changed = false;
  const sync = () => {
    textarea.value = serialize(editor);
  };
  const queryState = (command) => {
    try {
      return document.queryCommandState(command);
    } catch {
      return false;
    }
  };
  const updateState = () => {
    if (!selectionInEditor()) {
      return;
    }
    buttons.bold.setAttribute("aria-pressed", String(queryState("bold")));
    buttons.italic.setAttribute("aria-pressed", String(queryState("italic")));
    buttons.heading.setAttribute("aria-pressed", String(Boolean(closest("h1, h2, h3, h4"))));
    buttons.bullets.setAttribute("aria-pressed", String(queryState("insertUnorderedList")));
    buttons.numbers.setAttribute("aria-pressed", String(queryState("insertOrderedList")));
    buttons.unlink.setAttribute("aria-disabled", String(!closest("a")));
  };

  // Chromium makes a paragraph into a list inside that paragraph (<p><ul>…</ul></p>), which the next
  // Enter nests further: the list is taken out of it, the caret kept where it was.
  const liftLists = () => {
    for (const list of editor.querySelectorAll(":is(p, h1, h2, h3, h4) > :is(ul, ol)")) {
      const holder = list.parentElement;
      const selection = document.getSelection();
      const range = selection.rangeCount ? selection.getRangeAt(0) : null;
      const caret = range && [range.startContainer, range.startOffset, range.endContainer, range.endOffset];
      const parts = splitOutBlocks(holder);
      holder.replaceWith(...parts);
      const kept = caret && [caret[0], caret[2]].every((node) => node.isConnected && node !== holder);
      if (kept) {
        selection.setBaseAndExtent(...caret);
      } else if (list.isConnected) {
        const end = document.createRange();
        end.selectNodeContents(list.lastElementChild || list);
        end.collapse(false);
        selection.removeAllRanges();
        selection.addRange(end);
      }
    }
  };

  // Each edit goes through execCommand, so Undo and Redo know it. Never insertHTML: Chromium carries
  // what it inserts through markup with style attributes, which the CSP refuses.
  const exec = (...commands) => {
    restoreSelection();
    document.execCommand("styleWithCSS", false, false);
    document.execCommand("defaultParagraphSeparator", false, "p");
    for (const [command, value = null] of commands) {
      document.execCommand(command, false, value);
      if (command === "insertUnorderedList" || command === "insertOrderedList") {
        liftLists();
      }
    }
    savedRange = selectionInEditor()?.cloneRange() || savedRange;
    changed = true;
    sync();
    updateState();
  };

  const selectNode = (node) => {
    const range = document.createRange();
    range.selectNodeContents(node);
    const selection = document.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    savedRange = range.cloneRange();
  };

  // --- links ----------------------------------------------------------------------------------------

  const closeLinkPanel = (refocus = true) => {
    linkPanel.hidden = true;
    buttons.unlink.setAttribute("aria-disabled", "true");
  buttons.link.setAttribute("aria-expanded", "false");
    linkError.textContent = "";
    linkInput.removeAttribute("aria-invalid");
    if (refocus) {
      restoreSelection();
    }
  };
  const openLinkPanel = () => {
    savedRange = selectionInEditor()?.cloneRange() || savedRange;
    const anchor = closest("a");
    linkInput.value = anchor ? anchor.getAttribute("href") : "";
    linkApply.textContent = anchor ? "Change link" : "Add link";
    linkPanel.hidden = false;
    buttons.link.setAttribute("aria-expanded", "true");
    linkInput.focus();
  };
  const addressFromInput = (value) => {
    const typed = value.trim();
    if (!typed) {
      return null;
    }
    if (/^[^\s@/:]+@[^\s@/]+\.[^\s@/]+$/.test(typed)) {
      return safeHref(`mailto:${typed}`);
    }
    if (/^[a-z][a-z0-9+.-]*:/i.test(typed)) {
      return safeHref(typed);
    }
    // "example.com/tickets": a web address without its scheme, as the portal's URL fields take it.
    return /^[^\s/]+\.[^\s/]+/.test(typed) ? safeHref(`https://${typed}`) : null;
  };
  const applyLink = () => {
    const href = addressFromInput(linkInput.value);
    if (!href) {
      linkError.textContent = "Enter a web address starting with https:// or an email address.";
      linkInput.setAttribute("aria-invalid", "true");
      linkInput.focus();
      return;
    }
    closeLinkPanel();
    const anchor = closest("a");
    if (anchor) {
      selectNode(anchor);
    }
    const selection = document.getSelection();
    if (selection.isCollapsed) {
      // Nothing selected: the address is the link's text.
      const text = href.startsWith("mailto:") ? href.slice(7) : href;
      exec(["insertText", text]);
      const { focusNode, focusOffset } = document.getSelection();
      if (focusNode.nodeType === Node.TEXT_NODE && focusOffset >= text.length) {
        const start = focusOffset - text.length;
        document.getSelection().setBaseAndExtent(focusNode, start, focusNode, focusOffset);
        exec(["createLink", href]);
        document.getSelection().collapseToEnd();
      }
    } else {
      exec(["createLink", href]);
    }
  };
  linkApply.addEventListener("click", applyLink);
  linkCancel.addEventListener("click", () => closeLinkPanel());
  linkPanel.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && event.target === linkInput) {
      event.preventDefault(); // the panel is inside the page's form: Enter would send it
      applyLink();
    } else if (event.key === "Escape") {
      event.preventDefault();
      closeLinkPanel();
    }
  });

  // --- the toolbar ----------------------------------------------------------------------------------

  const run = (name) => {
    const spec = BUTTONS.find((candidate) => candidate.name === name);
    if (name === "link") {
      if (linkPanel.hidden) {
        openLinkPanel();
      } else {
        closeLinkPanel();
      }
    } else if (name === "heading") {
      exec(["formatBlock", closest("h1, h2, h3, h4") ? "<p>" : "<h3>"]);
    } else if (name === "unlink") {
      const anchor = closest("a");
      restoreSelection();
      if (anchor) {
        selectNode(anchor);
        exec(["unlink"]);
      }
    } else {
      exec([spec.command]);
    }
  };
  // A press keeps the caret in the text (the button does not take the focus from it).
  toolbar.addEventListener("mousedown", (event) => {
    if (event.target.closest("button")) {
      event.preventDefault();
    }
  });
  // The selection as the focus comes to the toolbar (Shift+Tab or Alt+F10 from the text): what its
  // buttons act on, whatever selection events are still on their way.
  toolbar.addEventListener("focusin", (event) => {
    if (!toolbar.contains(event.relatedTarget)) {
      savedRange = selectionInEditor()?.cloneRange() || savedRange;
    }
  });
  toolbar.addEventListener("click", (event) => {
    const button = event.target.closest("button");
    if (!button) {
      return;
    }
    for (const other of toolbarButtons) {
      other.tabIndex = other === button ? 0 : -1;
    }
    run(button.dataset.command);
  });
  toolbar.addEventListener("keydown", (event) => {
    const index = toolbarButtons.indexOf(document.activeElement);
    if (index < 0) {
      return;
    }
    const moves = {
      ArrowRight: index + 1,
      ArrowDown: index + 1,
      ArrowLeft: index - 1,
      ArrowUp: index - 1,
      Home: 0,
      End: toolbarButtons.length - 1,
    };
    if (event.key in moves) {
      event.preventDefault();
      const next = toolbarButtons[(moves[event.key] + toolbarButtons.length) % toolbarButtons.length];
      for (const button of toolbarButtons) {
        button.tabIndex = button === next ? 0 : -1;
      }
      next.focus();
    } else if (event.key === "Escape") {
      event.preventDefault();
      restoreSelection();
    }
  });

  // --- the text ------------------------------------------------------------------------------------

  editor.addEventListener("focus", () => {
    document.execCommand("styleWithCSS", false, false);
    document.execCommand("defaultParagraphSeparator", false, "p");
  });
  editor.addEventListener("input", () => {
    changed = true;
    sync();
    updateState();
  });
  document.addEventListener("selectionchange", () => {
    const range = selectionInEditor();
    if (range) {
      savedRange = range.cloneRange();
      updateState();
    }
  });
  editor.addEventListener("keydown", (event) => {
    if (event.altKey && event.key === "F10") {
      event.preventDefault();
      savedRange = selectionInEditor()?.cloneRange() || savedRange;
      (toolbarButtons.find((button) => button.tabIndex === 0) || toolbarButtons[0]).focus();
      return;
    }
    if (!(MAC ? event.metaKey : event.ctrlKey) || event.altKey) {
      return;
    }
    const key = event.key.toLowerCase();
    if (key === "b" || key === "i") {
      event.preventDefault();
      exec([key === "b" ? "bold" : "italic"]);
    } else if (key === "k") {
      event.preventDefault();
      openLinkPanel();
    }
  });
  const insertPlainText = (text) => {
    const commands = [];
    for (const paragraph of textToParagraphs(text)) {
      if (commands.length) {
        commands.push(["insertParagraph"]);
      }
      paragraph.split("\n").forEach((line, index) => {
        if (index) {
          commands.push(["insertLineBreak"]);
        }
        if (line) {
          commands.push(["insertText", line]);
        }
      });
    }
    if (commands.length) {
      exec(...commands);
    }
  };
  editor.addEventListener("paste", (event) => {
    event.preventDefault();
    insertPlainText(event.clipboardData ? event.clipboardData.getData("text/plain") : "");
  });
  // Text dragged from elsewhere comes in as plain text too (a drag within the box moves it as it is).
  let draggingInside = false;
  editor.addEventListener("dragstart", () => {
    draggingInside = true;
  });
  editor.addEventListener("dragend", () => {
    draggingInside = false;
  });
  editor.addEventListener("drop", (event) => {
    if (draggingInside) {
      return;
    }
    event.preventDefault();
    const text = event.dataTransfer ? event.dataTransfer.getData("text/plain") : "";
    const range = document.caretRangeFromPoint?.(event.clientX, event.clientY);
    if (range && editor.contains(range.startContainer)) {
      savedRange = range;
    }
    insertPlainText(text);
  });

  // The form posts the textarea: written on every change above, and once more as it is sent (before
  // htmx or anything else reads the form: capture phase).
  textarea.form?.addEventListener(
    "submit",
    () => {
      if (changed) {
        sync();
      }
    },
    true,
  );
  textarea.richTextEditor = editor;
}

// The error summary links to a field by its id: for a rich text field that is the hidden textarea,
// so the link brings the caret to its editor.
document.addEventListener("click", (event) => {
  const link = event.target instanceof Element ? event.target.closest('a[href^="#"]') : null;
  const id = link && link.hash.length > 1 ? decodeURIComponent(link.hash.slice(1)) : null;
  const target = id ? document.getElementById(id) : null;
  if (target && target.richTextEditor) {
    event.preventDefault();
    target.richTextEditor.scrollIntoView({ block: "center" });
    target.richTextEditor.focus();
  }
});

export function init(root) {
  const fields = [...root.querySelectorAll("textarea[data-rich-text]")];
  if (root instanceof Element && root.matches("textarea[data-rich-text]")) {
    fields.push(root);
  }
  for (const original of fields) {
    if (original.dataset.richTextReady) {
      continue;
    }
    // The editor gets a copy of the textarea (same name, id and value), which stays hidden: whatever
    // took hold of the visible one before this ran (an autofill, a test driver) finds it gone from the
    // page and looks the field up again, finding the editor, rather than waiting on a hidden field.
    const textarea = original.cloneNode(true);
    textarea.value = original.value;
    textarea.dataset.richTextReady = "true";
    original.replaceWith(textarea);
    enhance(textarea);
  }
}
