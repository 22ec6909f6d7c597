// Small inline-SVG charts for the ledger page: bar charts (grouped or stacked) and progress bars.
// No library and no inline styles (the CSP allows neither): elements come from createElementNS,
// colours and fonts from classes in app.css (.chart-s0 … .chart-s5), sizes from attributes.
// Every text from the API lands in a text node.

const NS = 'http://www.w3.org/2000/svg';

/** Create an SVG element: attrs as attributes (null/undefined skipped), children nodes or text. */
export function s(tag, attrs = {}, ...children) {
  const el = document.createElementNS(NS, tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    el.setAttribute(key, String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

const title = (text) => s('title', {}, text);

/** A "nice" step (1, 2, 5 × 10^n) so that about `count` steps cover max; whole numbers if asked. */
function niceStep(max, count, integer) {
  const raw = max / count;
  const p = 10 ** Math.floor(Math.log10(raw));
  const f = raw / p;
  const step = (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * p;
  return integer ? Math.max(1, Math.round(step)) : step;
}

export function number(v, digits = 0) {
  const n = Number(v) || 0;
  return n.toLocaleString('zh-CN', { maximumFractionDigits: digits });
}

/** Rough width of a label in px (CJK glyphs are about square). */
function textWidth(text, size) {
  let w = 0;
  for (const ch of String(text)) w += ch.charCodeAt(0) > 0x2e80 ? size : size * 0.6;
  return w;
}

function clip(text, max) {
  const chars = [...String(text)];
  return chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : String(text);
}

/** A legend row of coloured squares and names, starting at (x, y); returns [group, width]. */
function legend(series, x, y) {
  const g = s('g', { class: 'chart-legend' });
  let at = x;
  series.forEach((item, i) => {
    g.append(
      s('rect', { x: at, y: y - 9, width: 10, height: 10, rx: 2, class: `chart-s${item.color ?? i}` }),
      s('text', { x: at + 14, y, class: 'chart-legend-text' }, item.name));
    at += 14 + textWidth(item.name, 12) + 16;
  });
  return [g, at - x];
}

/**
 * A vertical bar chart of several series per group.
 *   groups: [{ key, name }]   series: [{ key, name, color? }]   value(groupKey, seriesKey) → number
 *   mode: 'grouped' (side by side) | 'stacked'   unit: appended to tooltips ('项', '条' …)
 *   caption: the chart's accessible name; dimension: what a group is ('地市' …) for tooltips.
 * Returns the <svg> (class chart), or null when every value is zero (let the caller say so).
 */
export function barChart({ groups, series, value, mode = 'grouped', unit = '', caption = '', dimension = '', minWidth = 720 }) {
  const stacked = mode === 'stacked';
  const cell = (g, k) => Math.max(0, Number(value(g.key, k)) || 0);
  const totals = groups.map((g) => series.reduce((sum, ser) => sum + cell(g, ser.key), 0));
  if (!groups.length || totals.every((t) => t === 0)) return null;
  const max = stacked ? Math.max(...totals) : Math.max(...groups.flatMap((g) => series.map((ser) => cell(g, ser.key))));
  const integer = groups.every((g) => series.every((ser) => Number.isInteger(cell(g, ser.key))));
  const step = niceStep(max, 4, integer);
  const top = Math.ceil(max / step) * step;

  const M = { left: 48, right: 14, top: 34, bottom: 40 };
  const barW = stacked ? 30 : Math.max(10, Math.min(22, Math.floor(110 / series.length)));
  // Groups share the minimum width (few groups → wider columns, up to 200 px); many scroll.
  const groupW = Math.max(stacked ? 60 : series.length * barW + 22, 64,
    Math.min(200, Math.floor((minWidth - M.left - M.right) / groups.length)));
  const labelChars = Math.max(4, Math.floor(groupW / 12));
  const plotH = 220;
  const [legendEl, legendW] = legend(series, M.left, 16);
  const width = Math.max(M.left + groups.length * groupW + M.right, legendW + M.left + M.right, 320);
  const height = M.top + plotH + M.bottom;
  const y = (v) => M.top + plotH - (v / top) * plotH;

  const svg = s('svg', {
    class: `chart chart-bars chart-${mode}`, width, height, viewBox: `0 0 ${width} ${height}`,
    role: 'img', 'aria-label': caption,
  }, title(caption), legendEl);

  // Axis: horizontal grid lines with tick labels.
  const axis = s('g', { class: 'chart-axis' });
  for (let v = 0; v <= top + step / 2; v += step) {
    axis.append(
      s('line', { x1: M.left, x2: width - M.right, y1: y(v), y2: y(v), class: v === 0 ? 'chart-baseline' : 'chart-grid' }),
      s('text', { x: M.left - 6, y: y(v) + 4, class: 'chart-tick', 'text-anchor': 'end' }, number(v, integer ? 0 : 1)));
  }
  svg.append(axis);

  const bars = s('g', { class: 'chart-data' });
  groups.forEach((g, gi) => {
    const x0 = M.left + gi * groupW;
    const col = s('g', { class: 'chart-group', 'data-group': g.name });
    let base = 0;
    series.forEach((ser, si) => {
      const v = cell(g, ser.key);
      if (v <= 0) return;
      const x = stacked ? x0 + (groupW - barW) / 2 : x0 + (groupW - series.length * barW) / 2 + si * barW;
      const yTop = stacked ? y(base + v) : y(v);
      const hgt = stacked ? y(base) - y(base + v) : y(0) - y(v);
      base += v;
      col.append(s('rect', {
        x: x + (stacked ? 0 : 1), y: yTop, width: stacked ? barW : barW - 2, height: Math.max(1, hgt),
        class: `chart-bar chart-s${ser.color ?? si}`, 'data-series': ser.key, 'data-value': v,
      }, title(`${dimension ? `${dimension}：` : ''}${g.name}\n${ser.name}：${number(v, 2)}${unit}`)));
      if (!stacked) col.append(s('text', { x: x + barW / 2, y: yTop - 4, class: 'chart-value', 'text-anchor': 'middle' }, number(v, 1)));
    });
    if (stacked) col.append(s('text', { x: x0 + groupW / 2, y: y(base) - 4, class: 'chart-value', 'text-anchor': 'middle' }, number(base, 1)));
    col.append(s('text', { x: x0 + groupW / 2, y: M.top + plotH + 16, class: 'chart-label', 'text-anchor': 'middle' },
      clip(g.name, labelChars), title(`${g.name}：合计 ${number(totals[gi], 2)}${unit}`)));
    bars.append(col);
  });
  svg.append(bars);
  return svg;
}

/**
 * Horizontal progress bars toward targets.
 *   items: [{ key, name, value, target, ratio, unit, format? }]
 * The bar fills value/target (capped at 100%, the label says the real ratio).
 */
export function progressBars({ items, caption = '' }) {
  const M = { left: 118, right: 170 };
  const rowH = 40;
  const width = 640;
  const barW = width - M.left - M.right;
  const height = items.length * rowH + 8;
  const svg = s('svg', { class: 'chart chart-progress', width, height, viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': caption },
    title(caption));
  items.forEach((it, i) => {
    const ratio = Number.isFinite(it.ratio) ? it.ratio : (it.target ? it.value / it.target : 0);
    const fill = Math.max(0, Math.min(1, ratio));
    const yy = 8 + i * rowH;
    const fmtV = it.format || ((v) => number(v, 2));
    const text = `${fmtV(it.value)} / ${fmtV(it.target)} ${it.unit}`;
    const done = ratio >= 1 ? ' chart-progress-done' : '';
    svg.append(s('g', { class: `chart-progress-row${done}`, 'data-key': it.key },
      title(`${it.name}：${text}（完成 ${(ratio * 100).toFixed(1)}%）`),
      s('text', { x: M.left - 10, y: yy + 15, class: 'chart-progress-name', 'text-anchor': 'end' }, it.name),
      s('rect', { x: M.left, y: yy + 4, width: barW, height: 14, rx: 7, class: 'chart-track' }),
      fill > 0 ? s('rect', { x: M.left, y: yy + 4, width: Math.max(3, barW * fill), height: 14, rx: 7, class: 'chart-fill', 'data-ratio': ratio }) : null,
      s('text', { x: M.left + barW + 10, y: yy + 15, class: 'chart-progress-pct' }, `${(ratio * 100).toFixed(1)}%`),
      s('text', { x: M.left, y: yy + 33, class: 'chart-progress-sub' }, text)));
  });
  return svg;
}
