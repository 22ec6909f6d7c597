// Building DOM without innerHTML: every text from the API lands in a text node, so nothing a
// record contains can become markup or script.

/**
 * Create an element.  attrs: `class`, `dataset` (object), `on<event>` (function), booleans
 * (true → present, false/null → absent), anything else as an attribute.  Children may be
 * strings, numbers, nodes, arrays of them, null or undefined (skipped).
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === 'class') el.className = value;
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** A bar of a value in 0..1 (width set through CSSOM, which the CSP allows). */
export function bar(value, cls = '') {
  const fill = h('span', { class: 'bar-fill' });
  fill.style.width = `${Math.max(0, Math.min(1, Number(value) || 0)) * 100}%`;
  return h('span', { class: `bar ${cls}`.trim() }, fill);
}

export function fmt(value, digits = 2) {
  return typeof value === 'number' && Number.isFinite(value) ? value.toFixed(digits) : '—';
}

/** Split a Chinese explanation ("…；…；…。") at its top-level '；' (not inside （…）「…」《…》). */
export function sentences(text) {
  const parts = [];
  let depth = 0;
  let current = '';
  for (const ch of String(text || '')) {
    if ('（(「《'.includes(ch)) depth += 1;
    else if ('）)」》'.includes(ch)) depth = Math.max(0, depth - 1);
    if (ch === '；' && depth === 0) {
      parts.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  parts.push(current);
  return parts.map((s) => s.trim().replace(/。$/, '')).filter(Boolean);
}

export function debounce(fn, ms) {
  let timer;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}
