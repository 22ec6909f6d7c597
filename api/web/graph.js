// The interactive graph view: entities coloured by kind, a legend, neighbours fetched on click,
// and a cap on visible nodes so a hub (a big university, a field) cannot swamp the page.

import cytoscape from './vendor/cytoscape/cytoscape.esm.min.mjs';
import { api } from './api.js';
import { h } from './dom.js';

export const KINDS = {
  Person: { zh: '人员', en: 'Person', color: '#2f6fdb' },
  Team: { zh: '团队', en: 'Team', color: '#7b4fd6' },
  Organization: { zh: '机构', en: 'Organization', color: '#e07a1f' },
  Patent: { zh: '专利', en: 'Patent', color: '#2a9d8f' },
  Achievement: { zh: '成果', en: 'Result', color: '#c9a227' },
  Demand: { zh: '需求', en: 'Demand', color: '#d62839' },
  Field: { zh: '领域', en: 'Field', color: '#6c757d' },
  Topic: { zh: '主题', en: 'Topic', color: '#a7b0b8' },
};

export const REL_NAMES = {
  WORKS_AT: '任职',
  MEMBER_OF: '成员',
  LEADS: '负责',
  PART_OF: '隶属',
  STUDIED_AT: '就读',
  INVENTED: '发明',
  APPLICANT_OF: '申请',
  POSTED: '发布',
  IN_FIELD: '领域',
  HAS_TOPIC: '主题',
  COLLABORATED_WITH: '合作',
  APPOINTED_AS: '聘任',
  COMPLETED: '完成',
  COVERS: '覆盖',
  CONTACT_FOR: '联系人',
};

const NEIGHBOURS_PER_EXPAND = 60;

function short(text, n = 12) {
  const s = String(text || '');
  return s.length > n ? `${s.slice(0, n)}…` : s;
}

const STYLE = [
  {
    selector: 'node',
    style: {
      'background-color': (n) => (KINDS[n.data('label')] || { color: '#999' }).color,
      label: 'data(short)',
      'font-family': '"Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif',
      'font-size': 11,
      color: '#1f2933',
      'text-valign': 'bottom',
      'text-margin-y': 4,
      'text-background-color': '#ffffff',
      'text-background-opacity': 0.8,
      'text-background-padding': 1,
      width: 24,
      height: 24,
      'border-width': 2,
      'border-color': '#ffffff',
    },
  },
  { selector: 'node[label = "Organization"]', style: { shape: 'round-rectangle', width: 30, height: 22 } },
  { selector: 'node[label = "Demand"]', style: { shape: 'diamond', width: 28, height: 28 } },
  { selector: 'node[label = "Patent"], node[label = "Achievement"]', style: { shape: 'round-tag' } },
  { selector: 'node.focus', style: { width: 34, height: 34, 'border-color': '#1d3557', 'border-width': 3 } },
  { selector: 'node.expanded', style: { 'border-color': '#1d3557' } },
  { selector: 'node:selected', style: { 'border-color': '#f4a261', 'border-width': 4 } },
  {
    selector: 'edge',
    style: {
      width: 1.5,
      'line-color': '#b8c2cc',
      'curve-style': 'bezier',
      label: 'data(text)',
      'font-size': 9,
      color: '#52606d',
      'text-rotation': 'autorotate',
      'text-background-color': '#ffffff',
      'text-background-opacity': 0.85,
      'font-family': '"Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif',
    },
  },
  { selector: 'edge.match', style: { 'line-style': 'dashed', 'line-color': '#e76f51', width: 2 } },
  { selector: 'edge.tie', style: { 'line-color': '#457b9d' } },
  { selector: '.hl', style: { 'line-color': '#e76f51', width: 4, 'z-index': 10 } },
  { selector: 'node.hl', style: { 'border-color': '#e76f51', 'border-width': 4 } },
  { selector: '.faded', style: { opacity: 0.25 } },
];

export class GraphView {
  /**
   * @param root element the view fills
   * @param options cap (max visible nodes), onOpen(id) to open an entity, onAction(kind, node)
   */
  constructor(root, { cap = 150, onOpen = () => {}, actions = () => [] } = {}) {
    this.cap = cap;
    this.onOpen = onOpen;
    this.actions = actions;
    this.expanded = new Set();
    this.omitted = 0;
    this.title = h('span', { class: 'graph-title' }, '图谱视图');
    this.count = h('span', { class: 'graph-count muted' });
    const toolbar = h('div', { class: 'graph-toolbar' },
      this.title, this.count,
      h('span', { class: 'spacer' }),
      h('button', { type: 'button', class: 'small', onclick: () => this.layout('cose'), title: '重新布局 (re-layout)' }, '重新布局'),
      h('button', { type: 'button', class: 'small', onclick: () => this.fit(), title: '适配窗口 (fit)' }, '适配'),
      h('button', { type: 'button', class: 'small', onclick: () => this.clear(), title: '清空 (clear)' }, '清空'));
    this.canvas = h('div', { class: 'graph-canvas', 'data-testid': 'graph-canvas' });
    this.notice = h('div', { class: 'graph-notice', role: 'status', hidden: true });
    this.info = h('div', { class: 'graph-info', hidden: true });
    this.hint = h('p', { class: 'graph-hint muted' }, '点击节点展开其邻居；拖动节点调整位置，滚轮缩放。');
    root.replaceChildren(toolbar, h('div', { class: 'graph-stage' }, this.canvas, this.info), this.notice, legend(), this.hint);
    this.cy = cytoscape({
      container: this.canvas,
      style: STYLE,
      minZoom: 0.15,
      maxZoom: 3,
      boxSelectionEnabled: false,
    });
    this.cy.on('tap', 'node', (event) => this.tapNode(event.target));
    this.cy.on('tap', (event) => {
      if (event.target === this.cy) this.info.hidden = true;
    });
    this.updateCount();
  }

  /** Remove everything (and the notices). */
  clear(title = '图谱视图') {
    this.cy.elements().remove();
    this.expanded.clear();
    this.omitted = 0;
    this.notice.hidden = true;
    this.info.hidden = true;
    this.title.textContent = title;
    this.updateCount();
  }

  has(id) {
    return this.cy.getElementById(id).nonempty();
  }

  get size() {
    return this.cy.nodes().length;
  }

  /** Add a node {id, label, name}; false when the cap is reached (the node is counted as omitted). */
  addNode(node, classes = '') {
    if (!node || !node.id) return false;
    const existing = this.cy.getElementById(node.id);
    if (existing.nonempty()) {
      if (classes) existing.addClass(classes);
      return true;
    }
    if (this.size >= this.cap) {
      this.omitted += 1;
      return false;
    }
    this.cy.add({
      group: 'nodes',
      data: { id: node.id, label: node.label || '', name: node.name || node.id, short: short(node.name || node.id) },
      classes,
    });
    return true;
  }

  /** Add an edge between two present nodes; `text` is its label, `classes` e.g. "match". */
  addEdge(src, dst, text = '', classes = '', key = '') {
    if (!this.has(src) || !this.has(dst)) return false;
    const id = `e:${src}|${dst}|${key || text}`;
    if (this.has(id) || this.has(`e:${dst}|${src}|${key || text}`)) return true;
    this.cy.add({ group: 'edges', data: { id, source: src, target: dst, text }, classes });
    return true;
  }

  /** Fetch an entity's neighbours (/entities/{id}) and add them, within the cap. */
  async expand(id, { layout = true } = {}) {
    const detail = await api(`/entities/${encodeURIComponent(id)}`, { rel_limit: NEIGHBOURS_PER_EXPAND });
    const e = detail.entity;
    this.addNode({ id: e.id, label: e.label, name: e.name }, 'expanded');
    this.expanded.add(e.id);
    const before = this.omitted;
    for (const r of detail.relationships) {
      if (!r.other_label) continue;
      if (this.addNode({ id: r.other_id, label: r.other_label, name: r.other_name })) {
        const [src, dst] = r.direction === 'out' ? [e.id, r.other_id] : [r.other_id, e.id];
        this.addEdge(src, dst, REL_NAMES[r.type] || r.type, '', r.type);
      }
    }
    const skipped = this.omitted - before;
    if (skipped > 0) {
      this.warn(`已达到 ${this.cap} 个节点的显示上限，${skipped} 个邻居未显示（共省略 ${this.omitted} 个）。可点“清空”后从其他节点重新展开。`);
    } else if (detail.relationships.length >= NEIGHBOURS_PER_EXPAND) {
      this.warn(`${e.name} 的关系较多，仅显示前 ${NEIGHBOURS_PER_EXPAND} 个。`);
    }
    if (layout) this.layout();
    this.updateCount();
    return detail;
  }

  warn(text) {
    this.notice.textContent = text;
    this.notice.hidden = false;
  }

  updateCount() {
    this.count.textContent = `${this.size} / ${this.cap} 个节点`;
  }

  layout(name) {
    this.updateCount();
    if (this.size === 0) return;
    // One expanded node: a star around it reads best; after more expansions, a force layout.
    const chosen = name || (this.expanded.size <= 1 && this.cy.nodes('.focus, .expanded').length <= 1 ? 'star' : 'cose');
    let options;
    if (chosen === 'cose') {
      options = { name: 'cose', animate: false, randomize: false, nodeRepulsion: () => 12000, idealEdgeLength: () => 100, nodeOverlap: 20, padding: 30 };
    } else if (chosen === 'star') {
      options = {
        name: 'concentric', animate: false, padding: 30, minNodeSpacing: 50, startAngle: Math.PI / 2,
        concentric: (n) => (n.hasClass('focus') || n.hasClass('expanded') ? 2 : 1),
        levelWidth: () => 1,
      };
    } else if (chosen === 'grid') {
      options = { name: 'grid', animate: false, padding: 30, avoidOverlap: true, avoidOverlapPadding: 30, cols: 4 };
    } else {
      options = { name: chosen, animate: false, padding: 30 };
    }
    this.cy.layout(options).run();
    this.fit();
  }

  /** Fit the graph in view without blowing a handful of nodes up to giant size. */
  fit() {
    this.cy.fit(undefined, 40);
    if (this.cy.zoom() > 1.3) {
      this.cy.zoom(1.3);
      this.cy.center();
    }
  }

  /** Show paths left to right, one row per path (shared nodes keep their first place). */
  showPaths(paths, title) {
    this.clear(title);
    const placed = new Map();
    paths.forEach((path, row) => {
      path.nodes.forEach((node, col) => {
        if (this.addNode(node, col === 0 || col === path.nodes.length - 1 ? 'focus' : '') && !placed.has(node.id)) {
          placed.set(node.id, { x: col * 170, y: row * 120 });
        }
      });
      path.hops.forEach((hop) => this.addEdge(hop.src, hop.dst, REL_NAMES[hop.type] || hop.type, '', hop.type));
    });
    for (const [id, pos] of placed) this.cy.getElementById(id).position(pos);
    this.fit();
    this.updateCount();
  }

  /** Emphasise one path (its node ids in order); the rest fades. */
  highlightPath(nodeIds) {
    this.cy.elements().removeClass('hl faded');
    if (!nodeIds) return;
    const nodes = this.cy.collection(nodeIds.map((id) => this.cy.getElementById(id)).filter((n) => n.nonempty()));
    const edges = nodes.edgesWith(nodes);
    this.cy.elements().not(nodes.union(edges)).addClass('faded');
    nodes.union(edges).addClass('hl');
  }

  /** A star: a centre node and scored neighbours joined by dashed "match" edges. */
  showStar(centre, others, title, edgeText = (o) => o.score?.toFixed?.(2) ?? '') {
    this.clear(title);
    this.addNode(centre, 'focus');
    for (const other of others) {
      if (this.addNode(other)) this.addEdge(centre.id, other.id, edgeText(other), 'match', 'match');
    }
    if (this.omitted) this.warn(`已达到 ${this.cap} 个节点的显示上限，${this.omitted} 个未显示。`);
    this.layout('star');
  }

  tapNode(node) {
    const data = node.data();
    const kind = KINDS[data.label] || { zh: data.label };
    const extra = this.actions(data) || [];
    this.info.replaceChildren(
      h('strong', {}, data.name),
      h('span', { class: 'chip', dataset: { label: data.label } }, kind.zh),
      h('div', { class: 'graph-info-actions' },
        h('button', { type: 'button', class: 'small', onclick: () => this.onOpen(data.id) }, '查看详情'),
        ...extra.map(([text, fn]) => h('button', { type: 'button', class: 'small', onclick: () => fn(data) }, text))),
    );
    this.info.hidden = false;
    if (!this.expanded.has(data.id)) {
      this.expand(data.id).catch((err) => this.warn(`展开失败：${err.message}`));
    }
  }
}

function legend() {
  return h('div', { class: 'legend', 'aria-label': '图例 legend' },
    Object.entries(KINDS).map(([label, k]) => h('span', { class: 'legend-item' },
      h('span', { class: 'legend-dot', dataset: { label } }), `${k.zh} ${k.en}`)));
}
