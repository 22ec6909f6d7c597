// 校企图谱 explorer: login, search, entity detail, collaboration paths, demand matching, people
// for roles, alliance candidates, open licensing and the ledger's statistics (charts) — views selected by the URL hash.

import { api, auth, download, post, waitForJob, whoami } from './api.js';
import { barChart, number, progressBars } from './charts.js';
import { bar, debounce, fmt, h, sentences } from './dom.js';
import { GraphView, KINDS, REL_NAMES } from './graph.js';

const $ = (sel) => document.querySelector(sel);
const state = { me: null, graph: null, seq: 0 };
// A handle for the browser tests and for debugging from the console (no secrets in it: the token
// stays in sessionStorage).
window.xiaoqi = { get graph() { return state.graph; }, get me() { return state.me; } };

const PROP_NAMES = {
  titles: '职称', research_directions: '研究方向', keywords: '关键词', degree: '学位', gender: '性别',
  birth_year: '出生年', name_en: '英文名', phone: '电话', email: '邮箱', id_number: '身份证号',
  birth_date: '出生日期', awards: '奖励', projects: '项目', kind: '类型', city: '城市', province: '省份',
  code: '代码', aliases: '别名', main_field: '主营领域', is_leading: '龙头企业', is_sme: '中小企业',
  is_specialised: '专精特新', is_little_giant: '小巨人', is_high_tech: '高新技术企业',
  application_number: '申请号', publication_number: '公开号', patent_type: '专利类型',
  application_date: '申请日', legal_status: '法律状态', ipc_codes: 'IPC 分类', main_ipc: '主分类号',
  year: '年份', maturity: '成熟度', open_licence: '开放许可', licence_terms: '许可条件',
  batch: '批次', batches: '历次批次', demand_type: '需求类型', budget_wan: '拟投入（万元）',
  deadline: '截止日期', status: '状态', contact_name: '联系人', contact_phone: '联系电话',
  declared_field: '技术领域', content: '需求内容', description: '简介', abstract: '摘要', summary: '简介',
  address: '地址',
};
const LONG_PROPS = new Set(['content', 'description', 'abstract', 'summary']);
const ORG_KINDS = { university: '高校', college: '学院', lab: '实验室', institute: '科研院所', enterprise: '企业', government: '政府部门', unknown: '未知' };
const STATUS = { open: '在办', matched: '已对接', closed: '已关闭', carried_over: '结转' };
const ROLES = {
  'tech-mentors': { zh: '技术导师', en: 'Technology mentors', target: 'enterprise', hint: '为企业（通常是专精特新中小企业）推荐高校副高及以上专家' },
  liaisons: { zh: '高校联络员', en: 'University liaisons', target: 'enterprise', hint: '为企业推荐博士研究生与青年教师' },
  'industry-professors': { zh: '产业教授', en: 'Industry professors', target: 'university', hint: '为高校（或学院）推荐企业专家' },
};
const ROLE_NAMES = { admin: '管理员', matchmaker: '技术经理人', organiser: '联合体组织者', api_client: '接口客户端', viewer: '只读用户' };

// --------------------------------------------------------------------------- helpers

function can(route) {
  return Boolean(state.me && state.me.allowed.includes(route));
}

function go(view, arg = '', params = {}) {
  const query = new URLSearchParams(Object.entries(params).filter(([, v]) => v !== undefined && v !== null && v !== '')).toString();
  const target = `#/${view}${arg ? `/${encodeURIComponent(arg)}` : ''}${query ? `?${query}` : ''}`;
  if (window.location.hash === target) render();
  else window.location.hash = target;
}

function entityLink(id, name) {
  return h('a', { href: `#/entity/${encodeURIComponent(id)}`, class: 'entity-link' }, name || id);
}

function chip(label) {
  const kind = KINDS[label] || { zh: label || '?' };
  return h('span', { class: 'chip', dataset: { label: label || '' } }, kind.zh);
}

function kindChip(kind, zh) {
  const label = { person: 'Person', team: 'Team', patent: 'Patent', achievement: 'Achievement', demand: 'Demand' }[kind];
  return h('span', { class: 'chip', dataset: { label: label || '' } }, zh || kind);
}

function loading(text = '加载中…') {
  return h('div', { class: 'loading', role: 'status' }, h('span', { class: 'spinner', 'aria-hidden': 'true' }), text);
}

function errorBox(err) {
  return h('div', { class: 'error-box', role: 'alert' }, err && err.message ? err.message : String(err));
}

function empty(text) {
  return h('p', { class: 'empty muted' }, text);
}

function section(title, en, ...children) {
  return h('section', { class: 'card' }, h('h2', {}, title, en ? h('small', {}, ` ${en}`) : null), ...children);
}

function explanationList(text) {
  return h('ul', { class: 'explanation' }, sentences(text).map((s) => h('li', {}, s)));
}

function factorBars(factors) {
  return h('div', { class: 'factors', 'data-testid': 'factors' }, factors.map((f) => h('div', {
    class: 'factor',
    title: `${f.name}：${fmt(f.value)} × 权重 ${fmt(f.weight)} = ${fmt(f.contribution, 3)}`,
  },
  h('span', { class: 'factor-name' }, f.name),
  bar(f.value),
  h('span', { class: 'factor-value' }, fmt(f.value)),
  h('span', { class: 'factor-weight muted' }, `×${fmt(f.weight)}`))));
}

function scoreCard({ chipEl, title, subtitle, score, factors, explanation, actions = [], testid = 'result-card' }) {
  return h('article', { class: 'result', 'data-testid': testid },
    h('header', { class: 'result-head' },
      chipEl,
      h('div', { class: 'result-title' }, title, subtitle ? h('div', { class: 'muted small' }, subtitle) : null),
      h('div', { class: 'score', title: '综合得分 (score)' }, h('span', { class: 'score-value' }, fmt(score)), h('span', { class: 'muted small' }, '综合得分'))),
    factors ? factorBars(factors) : null,
    explanation ? h('details', { class: 'why', open: true }, h('summary', {}, '推荐理由'), explanationList(explanation)) : null,
    actions.length ? h('div', { class: 'actions' }, actions) : null);
}

function orgNames(orgs) {
  return (orgs || []).map((o) => o.name).join('、');
}

function button(text, onclick, cls = '') {
  return h('button', { type: 'button', class: cls, onclick }, text);
}

/** A text input that searches the graph and lets the user pick an entity (or paste an id). */
function entityPicker({ label, placeholder, kind, value, name }) {
  const input = h('input', { type: 'text', placeholder, autocomplete: 'off', spellcheck: 'false', name, 'aria-label': label, maxlength: 200 });
  const chosen = h('div', { class: 'picker-chosen muted small' });
  const list = h('ul', { class: 'picker-list', role: 'listbox', hidden: true });
  const picker = { id: null, name: null, label: null, el: null };
  const set = (item) => {
    picker.id = item ? item.id : null;
    picker.name = item ? item.name : null;
    picker.label = item ? item.label : null;
    input.value = item ? item.name : '';
    chosen.replaceChildren(item ? h('span', {}, chip(item.label), ' ', h('code', {}, item.id)) : '');
    list.hidden = true;
  };
  const search = debounce(async () => {
    const q = input.value.trim();
    picker.id = null;
    if (/^[a-z_]+:\S+$/.test(q)) {
      picker.id = q;
      chosen.replaceChildren(h('code', {}, q));
      list.hidden = true;
      return;
    }
    if (!q) {
      list.hidden = true;
      return;
    }
    try {
      const res = await api('/search', { q, kind, limit: 8 });
      list.replaceChildren(...res.items.map((item) => h('li', {
        role: 'option', tabindex: '0', 'data-testid': 'picker-option',
        onclick: () => set(item),
        onkeydown: (e) => { if (e.key === 'Enter') { e.preventDefault(); set(item); } },
      }, chip(item.label), ' ', item.name, h('span', { class: 'muted small' }, ` ${describe(item)}`))));
      if (!res.items.length) list.replaceChildren(h('li', { class: 'muted' }, '无匹配结果'));
      list.hidden = false;
    } catch (err) {
      list.replaceChildren(h('li', { class: 'error' }, err.message));
      list.hidden = false;
    }
  }, 250);
  input.addEventListener('input', search);
  picker.el = h('label', { class: 'picker' }, h('span', { class: 'field-label' }, label), h('div', { class: 'picker-box' }, input, list), chosen);
  if (value) {
    set({ id: value, name: value, label: value.startsWith('org:') ? 'Organization' : '' });
    api(`/entities/${encodeURIComponent(value)}`, { rel_limit: 0 })
      .then((d) => set({ id: d.entity.id, name: d.entity.name, label: d.entity.label }))
      .catch(() => {});
  }
  picker.set = set;
  return picker;
}

function describe(item) {
  const p = item.props || {};
  if (item.label === 'Person') return [p.titles && p.titles.join('、'), (p.research_directions || []).slice(0, 2).join('、')].filter(Boolean).join(' · ');
  if (item.label === 'Organization') return [ORG_KINDS[p.kind] || p.kind, p.city].filter(Boolean).join(' · ');
  if (item.label === 'Patent') return [p.application_number, p.year].filter(Boolean).join(' · ');
  if (item.label === 'Demand') return [p.batch, p.city, STATUS[p.status]].filter(Boolean).join(' · ');
  if (item.label === 'Achievement') return [p.maturity, p.open_licence ? '开放许可' : ''].filter(Boolean).join(' · ');
  return '';
}

// --------------------------------------------------------------------------- views

async function viewSearch(panel, route) {
  const { params } = route;
  const kinds = [['', '全部类型'], ['person', '人员'], ['team', '团队'], ['organization', '机构'], ['patent', '专利'], ['achievement', '成果'], ['demand', '需求'], ['field', '领域']];
  const input = h('input', { type: 'search', name: 'q', value: params.get('q') || '', placeholder: '输入名称或关键词，如 焊接、哈工大、数字经济', 'aria-label': '搜索', maxlength: 100, 'data-testid': 'search-input' });
  const select = h('select', { name: 'kind', 'aria-label': '类型' }, kinds.map(([v, t]) => h('option', { value: v, selected: (params.get('kind') || '') === v }, t)));
  const results = h('div', { class: 'results', 'data-testid': 'search-results' });
  const form = h('form', { class: 'searchbar', onsubmit: (e) => { e.preventDefault(); go('search', '', { q: input.value.trim(), kind: select.value }); } },
    input, select, h('button', { type: 'submit', class: 'primary' }, '搜索'));
  const title = params.get('kind') === 'demand' ? '需求对接：先找到需求' : '搜索图谱';
  panel.replaceChildren(section(title, 'Search', form,
    h('p', { class: 'muted small' }, '试试：', ['焊接', '哈工大', '数字经济', '冰雪'].map((q) => h('a', { href: `#/search?q=${encodeURIComponent(q)}`, class: 'example' }, q))),
    results));
  input.focus();
  const q = params.get('q');
  if (!q) {
    results.replaceChildren(empty('输入关键词开始。点击结果查看详情与关系图；需求可直接进入对接页面。'));
    return;
  }
  results.replaceChildren(loading());
  const res = await api('/search', { q, kind: params.get('kind') || undefined, limit: 30 });
  if (!res.items.length) {
    results.replaceChildren(empty(`没有找到“${q}”。可换用简称、关键词，或选择其他类型。`));
    return;
  }
  results.replaceChildren(...res.items.map((item) => h('article', { class: 'hit', 'data-testid': 'search-hit' },
    chip(item.label),
    h('div', { class: 'hit-body' }, entityLink(item.id, item.name), h('div', { class: 'muted small' }, describe(item))),
    item.label === 'Demand' && can('GET /demands/{demand_id}/matches')
      ? button('对接', () => go('demand', item.id), 'small') : null)));
  if (!route.live()) return;
  state.graph.clear(`搜索：${q}`);
  for (const item of res.items.slice(0, 40)) state.graph.addNode(item);
  state.graph.layout('grid');
}

async function viewEntity(panel, route) {
  const { arg } = route;
  panel.replaceChildren(loading());
  state.graph.clear();
  const detail = await state.graph.expand(arg);
  if (!route.live()) return;
  state.graph.cy.getElementById(arg).addClass('focus');
  state.graph.title.textContent = `关系：${detail.entity.name}`;
  const e = detail.entity;
  const props = e.props || {};
  const rows = Object.entries(PROP_NAMES).filter(([k]) => props[k] !== undefined && props[k] !== null && props[k] !== '' && !(Array.isArray(props[k]) && !props[k].length));
  const value = (k, v) => {
    if (typeof v === 'boolean') return v ? '是' : '否';
    if (Array.isArray(v)) return v.join('、');
    if (k === 'kind') return ORG_KINDS[v] || v;
    if (k === 'status') return STATUS[v] || v;
    return String(v);
  };
  const table = h('dl', { class: 'props' }, rows.map(([k, name]) => [
    h('dt', {}, name),
    h('dd', { class: LONG_PROPS.has(k) ? 'long' : '' }, value(k, props[k])),
  ]));
  const masked = detail.masked_fields.length
    ? h('p', { class: 'notice small' }, `个人信息已按权限脱敏：${detail.masked_fields.map((f) => PROP_NAMES[f] || f).join('、')}（技术经理人及管理员可见，访问留痕）`)
    : null;
  const groups = new Map();
  for (const r of detail.relationships) {
    const key = `${r.type}|${r.direction}`;
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(r);
  }
  const rels = [...groups.entries()].map(([key, list]) => {
    const [type, dir] = key.split('|');
    return h('div', { class: 'rel-group' },
      h('div', { class: 'rel-type' }, `${relName(type)}${dir === 'in' ? '（被）' : ''}`, h('span', { class: 'muted small' }, ` ${list.length}`)),
      h('div', { class: 'rel-items' }, list.slice(0, 30).map((r) => h('span', { class: 'rel-item' }, chip(r.other_label), entityLink(r.other_id, r.other_name)))));
  });
  const actions = entityActions(e);
  panel.replaceChildren(
    h('section', { class: 'card' },
      h('div', { class: 'entity-head' }, chip(e.label), h('h1', {}, e.name)),
      h('p', { class: 'muted small' }, h('code', {}, e.id), detail.provenance.source ? ` · 来源：${detail.provenance.source}` : ''),
      actions.length ? h('div', { class: 'actions' }, actions) : null,
      masked, table),
    section('关系', 'Relationships', rels.length ? rels : empty('没有关系记录')),
  );
}

function relName(type) {
  return { WORKS_AT: '任职于', MEMBER_OF: '团队成员', LEADS: '负责团队', PART_OF: '隶属', STUDIED_AT: '就读于', INVENTED: '发明', APPLICANT_OF: '申请专利', POSTED: '发布需求', IN_FIELD: '所属领域', HAS_TOPIC: '主题', COLLABORATED_WITH: '合作者', APPOINTED_AS: '聘任', COMPLETED: '完成成果', COVERS: '覆盖专利', CONTACT_FOR: '需求联系人' }[type] || type;
}

function entityActions(e) {
  const out = [];
  const kind = e.props && e.props.kind;
  if (e.label === 'Demand') {
    if (can('GET /demands/{demand_id}/matches')) out.push(button('需求对接', () => go('demand', e.id), 'primary'));
    if (can('GET /alliances')) out.push(button('联合体候选', () => go('alliances', '', { demand_id: e.id })));
  }
  if (e.label === 'Organization') {
    out.push(button('作为路径起点', () => go('paths', '', { source: e.id })));
    if (kind === 'enterprise') {
      if (can('GET /recommendations/tech-mentors')) {
        out.push(button('推荐技术导师', () => go('recommend', '', { role: 'tech-mentors', target: e.id })));
        out.push(button('推荐高校联络员', () => go('recommend', '', { role: 'liaisons', target: e.id })));
      }
      if (can('GET /open-licence')) out.push(button('开放许可成果', () => go('licence', '', { enterprise_id: e.id })));
    } else if (['university', 'college', 'lab'].includes(kind) && can('GET /recommendations/industry-professors')) {
      out.push(button('推荐产业教授', () => go('recommend', '', { role: 'industry-professors', target: e.id })));
    }
  }
  if (e.label === 'Person' || e.label === 'Team') {
    out.push(button('作为路径终点', () => go('paths', '', { target: e.id })));
    if (can('GET /researchers/{researcher_id}/demands')) out.push(button('适合的企业需求', () => go('researcher', e.id)));
  }
  if (e.label === 'Field') {
    if (can('GET /alliances')) out.push(button('联合体候选', () => go('alliances', '', { field_id: e.id })));
    if (can('GET /open-licence')) out.push(button('开放许可', () => go('licence', '', { field_id: e.id })));
  }
  return out;
}

async function viewPaths(panel, route) {
  const { params } = route;
  const source = entityPicker({ label: '起点（企业、人员、团队…）', placeholder: '搜索起点，如 企业名称', value: params.get('source'), name: 'source' });
  const target = entityPicker({ label: '终点', placeholder: '搜索终点，如 教授姓名', value: params.get('target'), name: 'target' });
  const k = h('select', { name: 'k', 'aria-label': '路径条数' }, [1, 3, 5, 10].map((n) => h('option', { value: n, selected: String(n) === (params.get('k') || '3') }, `${n} 条`)));
  const hops = h('select', { name: 'max_hops', 'aria-label': '最长跳数' }, [2, 3, 4, 5, 6].map((n) => h('option', { value: n, selected: String(n) === (params.get('max_hops') || '4') }, `≤ ${n} 跳`)));
  const through = h('input', { type: 'checkbox', name: 'through_fields', checked: params.get('through_fields') === 'true' });
  // Filters kept in the address as comma lists: kinds of tie not to follow, kinds of node not to pass.
  const listParam = (name) => new Set((params.get(name) || '').split(',').filter(Boolean));
  const avoidRels = listParam('avoid_rels');
  const avoidKinds = listParam('avoid_kinds');
  const relBoxes = Object.entries(REL_NAMES).filter(([t]) => t !== 'IN_FIELD' && t !== 'HAS_TOPIC')
    .map(([t, zh]) => h('input', { type: 'checkbox', name: 'avoid_rels', value: t, checked: avoidRels.has(t), title: t, dataset: { zh } }));
  const kindBoxes = ['Organization', 'Team', 'Patent', 'Demand', 'Achievement', 'Person']
    .map((label) => h('input', { type: 'checkbox', name: 'avoid_kinds', value: label, checked: avoidKinds.has(label), dataset: { zh: (KINDS[label] || { zh: label }).zh } }));
  const boxes = (list) => h('div', { class: 'checks' }, list.map((box) => h('label', { class: 'check' }, box, box.dataset.zh)));
  const filters = h('details', { class: 'path-filters', 'data-testid': 'path-filters', open: avoidRels.size + avoidKinds.size > 0 },
    h('summary', {}, `更多筛选${avoidRels.size + avoidKinds.size ? `（已选 ${avoidRels.size + avoidKinds.size} 项）` : ''}`),
    h('p', { class: 'muted small' }, '不走这些关系：'), boxes(relBoxes),
    h('p', { class: 'muted small' }, '中间不经过这些类型的节点（起点、终点不受限）：'), boxes(kindBoxes));
  const checked = (list) => list.filter((box) => box.checked).map((box) => box.value).join(',');
  const out = h('div', { class: 'results', 'data-testid': 'path-results' });
  const form = h('form', {
    class: 'form-grid',
    onsubmit: (e) => {
      e.preventDefault();
      go('paths', '', {
        source: source.id, target: target.id, k: k.value, max_hops: hops.value, through_fields: through.checked ? 'true' : '',
        avoid_rels: checked(relBoxes), avoid_kinds: checked(kindBoxes),
      });
    },
  }, source.el, target.el,
  h('div', { class: 'inline' }, k, hops, h('label', { class: 'check' }, through, '经由领域/主题'), h('button', { type: 'submit', class: 'primary' }, '查找路径')),
  filters);
  panel.replaceChildren(section('合作路径', 'Collaboration paths',
    h('p', { class: 'muted small' }, '找出两个实体之间最紧密的关系链，每一跳附中文解释；起点为企业、终点为人员时，同时列出“谁能引荐”。'),
    form), out);
  const s = params.get('source');
  const t = params.get('target');
  if (!s || !t) {
    out.replaceChildren(empty('选择起点和终点后查找。'));
    return;
  }
  out.replaceChildren(loading('正在查找路径…'));
  // Naming excluded kinds replaces the default exclusion of Field/Topic, so it is named too.
  const excludeLabels = avoidKinds.size ? [...avoidKinds, ...(through.checked ? [] : ['Field', 'Topic'])] : undefined;
  const res = await api('/paths', {
    source: s, target: t, k: k.value, max_hops: hops.value, through_fields: through.checked ? 'true' : undefined,
    exclude_rel_types: [...avoidRels], exclude_labels: excludeLabels,
  });
  const cards = res.paths.map((p, i) => h('article', {
    class: 'result path', 'data-testid': 'path-card', tabindex: '0',
    onclick: () => state.graph.highlightPath(p.nodes.map((n) => n.id)),
  },
  h('header', { class: 'result-head' },
    h('span', { class: 'path-index' }, `路径 ${i + 1}`),
    h('div', { class: 'result-title' }, p.summary),
    h('div', { class: 'score', title: '路径代价：越小联系越紧密' }, h('span', { class: 'score-value' }, fmt(p.cost)), h('span', { class: 'muted small' }, `代价 · ${p.length} 跳`))),
  h('ol', { class: 'hops', 'data-testid': 'path-explanation' }, p.explanation.map((line) => h('li', {}, line)))));
  out.replaceChildren(section(`${res.source.name} → ${res.target.name}`, null,
    cards.length ? cards : empty(`在 ${hops.value} 跳以内没有找到路径。可放宽最长跳数、勾选“经由领域/主题”${avoidRels.size + avoidKinds.size ? '，或减少“更多筛选”中的限制' : ''}。`)));
  if (!route.live()) return;
  state.graph.showPaths(res.paths, `路径：${res.source.name} → ${res.target.name}`);
  if (res.paths.length) state.graph.highlightPath(res.paths[0].nodes.map((n) => n.id));
  if (res.source.label === 'Organization' && res.target.label === 'Person') {
    const intro = h('div', {}, loading('正在寻找引荐人…'));
    out.append(section('谁能引荐', 'Who can introduce', ...(avoidRels.size + avoidKinds.size
      ? [h('p', { class: 'muted small' }, '引荐人按全部关系计算，不受“更多筛选”限制。'), intro] : [intro])));
    try {
      const who = await api('/introduce', { enterprise_id: s, researcher_id: t, limit: 5, max_hops: Math.max(2, Number(hops.value)) });
      intro.replaceChildren(...(who.introducers.length ? who.introducers.map((i) => h('article', { class: 'result', 'data-testid': 'introducer-card' },
        h('header', { class: 'result-head' }, chip('Person'), h('div', { class: 'result-title' }, entityLink(i.person.id, i.person.name), h('div', { class: 'muted small' }, i.summary)),
          h('div', { class: 'score' }, h('span', { class: 'score-value' }, fmt(i.score, 3)), h('span', { class: 'muted small' }, '引荐评分'))),
        h('ol', { class: 'hops' }, i.explanation.map((line) => h('li', {}, line))),
        h('div', { class: 'actions' }, button('在图中显示', () => state.graph.showPaths([i.best_path], `引荐：${i.person.name}`), 'small'))))
        : [empty('没有找到合适的引荐人。')]));
    } catch (err) {
      intro.replaceChildren(errorBox(err));
    }
  }
}

async function viewDemand(panel, route) {
  const { arg, params } = route;
  panel.replaceChildren(loading());
  const detail = await api(`/entities/${encodeURIComponent(arg)}`, { rel_limit: 50 });
  const d = detail.entity;
  const p = d.props;
  const firm = detail.relationships.find((r) => r.type === 'POSTED');
  const kinds = (params.get('kinds') || 'person,team,patent,achievement').split(',');
  const limit = params.get('limit') || '12';
  const boxes = [['person', '人员'], ['team', '团队'], ['patent', '专利'], ['achievement', '成果']].map(([v, t]) => h('label', { class: 'check' },
    h('input', { type: 'checkbox', value: v, checked: kinds.includes(v) }), t));
  const limitSel = h('select', { 'aria-label': '数量' }, ['6', '12', '24', '50'].map((n) => h('option', { value: n, selected: n === limit }, `前 ${n} 名`)));
  const controls = h('div', { class: 'inline' }, boxes, limitSel,
    button('重新对接', () => go('demand', arg, { kinds: boxes.map((b) => b.firstChild).filter((c) => c.checked).map((c) => c.value).join(','), limit: limitSel.value }), 'primary'),
    can('POST /matching-list/jobs') && p.batch ? button(`导出 ${p.batch} 对接清单`, async (ev) => {
      // A batch has thousands of demands at province scale: generated as a background job.
      ev.target.disabled = true;
      ev.target.textContent = '已提交…';
      try {
        const job = await post('/matching-list/jobs', { batch: p.batch, format: 'xlsx' });
        await waitForJob(job.job_id, (j, s) => {
          ev.target.textContent = j.status === 'queued' ? `排队中… ${s} 秒` : `正在生成… ${s} 秒`;
        });
        await download(`/jobs/${job.job_id}/file`, {}, `matching-list-${p.batch}.xlsx`);
      } catch (err) {
        panel.prepend(errorBox(err));
      } finally {
        ev.target.disabled = false;
        ev.target.textContent = `导出 ${p.batch} 对接清单`;
      }
    }) : null);
  const facts = [
    ['企业', firm ? entityLink(firm.other_id, firm.other_name) : '—'],
    ['批次', (p.batches || [p.batch]).filter(Boolean).join('、') || '—'],
    ['技术领域', p.declared_field || '—'],
    ['拟投入', p.budget_wan !== undefined ? `${p.budget_wan} 万元` : '—'],
    ['截止日期', p.deadline || '—'],
    ['状态', STATUS[p.status] || p.status || '—'],
    ['联系人', [p.contact_name, p.contact_phone].filter(Boolean).join(' ') || '—'],
  ];
  const people = h('div', { class: 'column', 'data-testid': 'demand-people' }, h('h3', {}, '人员与团队 ', h('small', {}, 'People & teams')), loading('正在对接…（首次查询需建立索引，约十几秒）'));
  const things = h('div', { class: 'column', 'data-testid': 'demand-patents' }, h('h3', {}, '专利与成果 ', h('small', {}, 'Patents & results')));
  panel.replaceChildren(
    h('section', { class: 'card' },
      h('div', { class: 'entity-head' }, chip('Demand'), h('h1', {}, d.name)),
      h('dl', { class: 'props compact' }, facts.map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)])),
      detail.masked_fields.length ? h('p', { class: 'notice small' }, '联系方式已按权限脱敏（技术经理人及管理员可见，访问留痕）') : null,
      p.content ? h('details', {}, h('summary', {}, '需求内容'), h('p', { class: 'long' }, p.content)) : null,
      controls),
    h('section', { class: 'card two-col' }, people, things));
  if (!can('GET /demands/{demand_id}/matches')) {
    const note = empty('当前角色不能查看对接结果（需要技术经理人、联合体组织者或接口客户端角色）。');
    people.replaceChildren(people.firstChild, note);
    return;
  }
  const res = await api(`/demands/${encodeURIComponent(arg)}/matches`, { kinds: kinds.filter(Boolean), limit });
  const card = (m) => scoreCard({
    chipEl: kindChip(m.kind, m.kind_name),
    title: entityLink(m.id, m.name),
    subtitle: orgNames(m.organizations),
    score: m.score,
    factors: m.factors,
    explanation: m.explanation,
    testid: 'match-card',
    actions: [
      firm ? button('查看路径', () => go('paths', '', { source: firm.other_id, target: m.id }), 'small') : null,
    ].filter(Boolean),
  });
  const ofPeople = res.items.filter((m) => m.kind === 'person' || m.kind === 'team');
  const ofThings = res.items.filter((m) => m.kind === 'patent' || m.kind === 'achievement');
  people.replaceChildren(people.firstChild, ...(ofPeople.length ? ofPeople.map(card) : [empty('没有匹配的人员或团队')]));
  things.replaceChildren(things.firstChild, ...(ofThings.length ? ofThings.map(card) : [empty('没有匹配的专利或成果')]));
  const label = { person: 'Person', team: 'Team', patent: 'Patent', achievement: 'Achievement' };
  if (!route.live()) return;
  state.graph.showStar({ id: d.id, label: 'Demand', name: d.name },
    res.items.map((m) => ({ id: m.id, label: label[m.kind], name: m.name, score: m.score })), `对接：${d.name}`);
}

async function viewResearcher(panel, route) {
  const { arg, params } = route;
  panel.replaceChildren(loading('正在寻找适合的企业需求…'));
  const batch = params.get('batch') || '';
  const res = await api(`/researchers/${encodeURIComponent(arg)}/demands`, { batch: batch || undefined, limit: 20 });
  const batchInput = h('input', { type: 'text', value: batch, placeholder: '批次，如 2025H2', pattern: '\\d{4}H[12]', maxlength: 6, 'aria-label': '批次' });
  panel.replaceChildren(section(`适合 ${res.query.name} 的企业需求`, 'Demands for a researcher',
    h('form', { class: 'inline', onsubmit: (e) => { e.preventDefault(); go('researcher', arg, { batch: batchInput.value.trim() }); } },
      batchInput, h('button', { type: 'submit' }, '按批次筛选')),
    res.items.length ? res.items.map((m) => scoreCard({
      chipEl: kindChip('demand', '需求'), title: entityLink(m.id, m.name), subtitle: orgNames(m.organizations),
      score: m.score, factors: m.factors, explanation: m.explanation, testid: 'match-card',
      actions: [button('需求对接', () => go('demand', m.id), 'small')],
    })) : empty('没有匹配的在办需求。')));
  if (!route.live()) return;
  state.graph.showStar(res.query, res.items.map((m) => ({ id: m.id, label: 'Demand', name: m.name, score: m.score })), `需求：${res.query.name}`);
}

async function viewRecommend(panel, route) {
  const { params } = route;
  const role = ROLES[params.get('role')] ? params.get('role') : 'tech-mentors';
  const meta = ROLES[role];
  const tabs = h('div', { class: 'tabs', role: 'tablist' }, Object.entries(ROLES).map(([key, r]) => h('a', {
    href: `#/recommend?role=${key}`, role: 'tab', class: key === role ? 'active' : '', 'aria-selected': key === role ? 'true' : 'false',
  }, r.zh)));
  const target = entityPicker({
    label: meta.target === 'enterprise' ? '企业' : '高校或学院', placeholder: meta.target === 'enterprise' ? '搜索企业名称' : '搜索高校名称，如 哈工大',
    kind: 'organization', value: params.get('target'), name: 'target',
  });
  const form = h('form', { class: 'form-grid', onsubmit: (e) => { e.preventDefault(); go('recommend', '', { role, target: target.id }); } },
    target.el, h('div', { class: 'inline' }, h('button', { type: 'submit', class: 'primary' }, `推荐${meta.zh}`)));
  const out = h('div', { class: 'results', 'data-testid': 'recommendations' });
  panel.replaceChildren(section('人员推荐', 'People for roles', tabs, h('p', { class: 'muted small' }, meta.hint, '；因利益冲突排除的人员单独列出并说明原因。'), form), out);
  const t = params.get('target');
  if (!t) {
    out.replaceChildren(empty(`选择${meta.target === 'enterprise' ? '企业' : '高校'}后推荐。`));
    return;
  }
  out.replaceChildren(loading('正在推荐…'));
  const key = meta.target === 'enterprise' ? 'enterprise_id' : 'university_id';
  const res = await api(`/recommendations/${role}`, { [key]: t, limit: 10 });
  const cards = res.candidates.map((c) => scoreCard({
    chipEl: chip('Person'),
    title: entityLink(c.person_id, c.name),
    subtitle: [orgNames(c.organizations), c.title].filter(Boolean).join(' · '),
    score: c.score, factors: c.factors, explanation: c.explanation, testid: 'recommendation-card',
    actions: [button('查看路径', () => go('paths', '', { source: res.target.id, target: c.person_id }), 'small')],
  }));
  out.replaceChildren(
    section(`${res.target.name} 的${res.role_name}候选`, meta.en,
      res.fields.length ? h('p', { class: 'muted small' }, '目标领域：', res.fields.map((f) => f.name).join('、')) : null,
      cards.length ? cards : empty('没有符合条件的候选人。')),
    res.excluded.length ? section('因利益冲突排除', 'Excluded', h('ul', { class: 'excluded' }, res.excluded.map((x) => h('li', {},
      entityLink(x.person_id, x.name), h('span', { class: 'chip warn' }, { same_employer: '同单位', already_appointed: '已在任', competing_ownership: '竞争性知识产权' }[x.reason] || x.reason),
      h('span', { class: 'muted small' }, ` ${x.detail}`))))) : null,
  );
  if (!route.live()) return;
  state.graph.showStar({ id: res.target.id, label: 'Organization', name: res.target.name },
    res.candidates.map((c) => ({ id: c.person_id, label: 'Person', name: c.name, score: c.score })), `${res.role_name}：${res.target.name}`);
}

async function fieldSelect(selected) {
  const fields = await api('/fields', { kind: 'industry' });
  return h('select', { name: 'field_id', 'aria-label': '领域' },
    h('option', { value: '' }, '选择领域…'),
    fields.map((f) => h('option', { value: f.id, selected: f.id === selected }, f.name)));
}

async function viewAlliances(panel, route) {
  const { params } = route;
  const select = await fieldSelect(params.get('field_id'));
  const demandId = params.get('demand_id');
  const out = h('div', { class: 'results', 'data-testid': 'alliances' });
  panel.replaceChildren(section('创新联合体候选', 'Alliance candidates',
    h('p', { class: 'muted small' }, '在领域内已有合作（共同申请专利、人员合作）的机构中发现社区，保留“高校 + 龙头企业 + 中小企业”的组合。'),
    h('form', { class: 'inline', onsubmit: (e) => { e.preventDefault(); go('alliances', '', { field_id: select.value }); } },
      select, h('button', { type: 'submit', class: 'primary' }, '发现联合体')),
    demandId ? h('p', { class: 'small' }, '按需求：', entityLink(demandId, demandId)) : null), out);
  if (!select.value && !demandId) {
    out.replaceChildren(empty('选择一个领域。'));
    return;
  }
  out.replaceChildren(loading('正在发现合作社区…'));
  const res = await api('/alliances', { field_id: select.value || undefined, demand_id: select.value ? undefined : demandId, limit: 5 });
  if (!route.live()) return;
  if (!res.items.length) {
    out.replaceChildren(empty('没有满足组成规则的联合体候选。'));
    state.graph.clear();
    return;
  }
  out.replaceChildren(...res.items.map((a, i) => h('article', { class: 'result', 'data-testid': 'alliance-card', onclick: () => showAlliance(a, i) },
    h('header', { class: 'result-head' }, h('span', { class: 'path-index' }, `候选 ${i + 1}`),
      h('div', { class: 'result-title' }, a.fields.map((f) => f.name).join('、'), h('div', { class: 'muted small' }, `${a.members.length} 家核心成员 · 社区 ${a.community_size} 家`)),
      h('div', { class: 'score' }, h('span', { class: 'score-value' }, fmt(a.score)), h('span', { class: 'muted small' }, '综合得分'))),
    factorBars(a.factors),
    h('p', { class: 'small' }, a.explanation),
    h('ul', { class: 'members' }, a.members.map((m) => h('li', {}, h('span', { class: 'chip', dataset: { role: m.role } }, m.role_name), ' ', entityLink(m.id, m.name), h('div', { class: 'muted small' }, m.explanation)))))));
  showAlliance(res.items[0], 0);
}

function showAlliance(a, i) {
  const g = state.graph;
  g.clear(`联合体候选 ${i + 1}`);
  for (const m of a.members) g.addNode({ id: m.id, label: 'Organization', name: m.name }, 'focus');
  for (const t of a.ties) g.addEdge(t.a, t.b, `专利${t.co_patents}·合作${t.collab_pairs}`, 'tie', 'tie');
  g.layout('circle');
}

async function viewLicence(panel, route) {
  const { params } = route;
  const select = await fieldSelect(params.get('field_id'));
  const firm = entityPicker({ label: '企业（可选）', placeholder: '搜索企业名称', kind: 'organization', value: params.get('enterprise_id'), name: 'enterprise' });
  const out = h('div', { class: 'results', 'data-testid': 'licence' });
  panel.replaceChildren(section('开放许可', 'Open licensing',
    h('p', { class: 'muted small' }, '高校声明开放许可的科技成果与企业（中小企业优先）的匹配。给定企业：适合它的成果；只选领域：该领域的成果与中小企业配对。'),
    h('form', { class: 'form-grid', onsubmit: (e) => { e.preventDefault(); go('licence', '', { enterprise_id: firm.id, field_id: select.value }); } },
      firm.el, h('div', { class: 'inline' }, select, h('button', { type: 'submit', class: 'primary' }, '匹配')))), out);
  const e = params.get('enterprise_id');
  const f = params.get('field_id');
  if (!e && !f) {
    out.replaceChildren(empty('选择企业或领域。'));
    return;
  }
  out.replaceChildren(loading());
  const res = await api('/open-licence', { enterprise_id: e || undefined, field_id: f || undefined, limit: 12 });
  out.replaceChildren(...(res.items.length ? res.items.map((m) => scoreCard({
    chipEl: chip('Achievement'),
    title: h('span', {}, entityLink(m.achievement.id, m.achievement.name), ' → ', entityLink(m.enterprise.id, m.enterprise.name)),
    subtitle: `${orgNames(m.owners)}${m.licence_terms ? ` · ${m.licence_terms}` : ''}`,
    score: m.score, factors: m.factors, explanation: m.explanation, testid: 'licence-card',
  })) : [empty('没有匹配的开放许可成果。')]));
  if (!route.live()) return;
  const g = state.graph;
  g.clear('开放许可匹配');
  for (const m of res.items) {
    g.addNode({ id: m.achievement.id, label: 'Achievement', name: m.achievement.name });
    g.addNode({ id: m.enterprise.id, label: 'Organization', name: m.enterprise.name }, 'focus');
    g.addEdge(m.achievement.id, m.enterprise.id, fmt(m.score), 'match', 'match');
  }
  g.layout(e ? 'star' : 'cose');
}

// --------------------------------------------------------------------------- people review

const REVIEW_PAGE = 20;

function reviewSide(side, label) {
  const facts = [
    ['来源', [side.kind_name, side.source, side.source_key].filter(Boolean).join(' · ')],
    ['单位', (side.organisations || []).join('、')],
    ['职称', (side.titles || []).join('、')],
    ['出生年', side.birth_year || ''],
    ['年份', (side.years || []).join('、')],
    ['合作者', (side.co_names || []).join('、')],
    ['主题', (side.topics || []).join('、')],
    ['专利', (side.patents || []).join('、')],
  ].filter(([, v]) => v !== '' && v !== null && v !== undefined);
  return h('div', { class: 'review-side', 'data-testid': 'review-side' },
    h('h3', {}, label, ' ', side.person_id ? entityLink(side.person_id, '查看人员') : h('span', { class: 'muted' }, '（已不存在）')),
    h('dl', { class: 'props' }, facts.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, String(v))])));
}

async function viewReview(panel, route) {
  const { params } = route;
  const name = params.get('name') || '';
  const offset = Math.max(0, Number(params.get('offset')) || 0);
  const input = h('input', { type: 'search', name: 'name', value: name, placeholder: '姓名（可选），如 王磊', 'aria-label': '姓名', maxlength: 20 });
  const out = h('div', { class: 'results', 'data-testid': 'review' });
  panel.replaceChildren(section('人员复核', 'Same-name review',
    h('p', { class: 'muted small' }, '同名的两条记录：证据不足以自动合并，也没有证据表明是两个人。请判断是同一人（合并），还是不同的人。判断记入更正，重新导入后仍然有效。'),
    h('form', { class: 'inline', onsubmit: (e) => { e.preventDefault(); go('review', '', { name: input.value.trim() }); } },
      input, h('button', { type: 'submit', class: 'primary' }, '筛选'))), out);
  out.replaceChildren(loading());
  const page = await api('/people/review', { name, offset, limit: REVIEW_PAGE });
  if (!route.live()) return;
  if (!page.items.length) {
    out.replaceChildren(empty(page.total ? '这一页没有人员对。' : `没有待复核的同名人员对${name ? `（姓名含“${name}”）` : ''}。`));
    return;
  }
  const answer = (pair, path, body, note) => async (ev) => {
    const card = ev.target.closest('article');
    for (const b of card.querySelectorAll('button')) b.disabled = true;
    try {
      await post(path, body);
      card.replaceChildren(h('p', { class: 'muted', role: 'status', 'data-testid': 'review-done' }, `${pair.name}：${note}`));
    } catch (err) {
      card.prepend(errorBox(err));
      for (const b of card.querySelectorAll('button')) b.disabled = false;
    }
  };
  const cards = page.items.map((pair) => {
    const [a, b] = pair.sides;
    const canMerge = a.person_id && b.person_id;
    return h('article', { class: 'result review-pair', 'data-testid': 'review-pair' },
      h('header', { class: 'result-head' }, chip('Person'),
        h('div', { class: 'result-title' }, pair.name, h('div', { class: 'muted small' }, pair.evidence.join('；'))),
        h('div', { class: 'score', title: '相似度 (score)' }, h('span', { class: 'score-value' }, fmt(pair.score)), h('span', { class: 'muted small' }, '相似度'))),
      h('div', { class: 'review-sides' }, reviewSide(a, '记录 A'), reviewSide(b, '记录 B')),
      h('div', { class: 'inline' },
        canMerge ? button('是同一人（合并）', answer(pair, '/people/merge', { a: a.person_id, b: b.person_id }, '已合并为同一人'), 'primary') : null,
        button('不是同一人', answer(pair, '/people/keep-apart', { a: pair.a, b: pair.b }, '已确认为不同的人'))));
  });
  const last = offset + page.items.length;
  const pager = h('div', { class: 'inline pager', 'data-testid': 'review-pager' },
    h('span', { class: 'muted' }, `第 ${offset + 1}–${last} 对，共 ${page.total} 对`),
    offset > 0 ? button('上一页', () => go('review', '', { name, offset: Math.max(0, offset - REVIEW_PAGE) })) : null,
    last < page.total ? button('下一页', () => go('review', '', { name, offset: last })) : null,
    button('刷新', () => render()));
  out.replaceChildren(pager, ...cards);
}

// --------------------------------------------------------------------------- ledger & statistics

const DIMENSIONS = { city: '地市', university: '高校', enterprise: '企业', field: '领域' };
const STAGE_SERIES = [
  { key: 'proposed', name: '提出' }, { key: 'contacted', name: '已联系' }, { key: 'negotiating', name: '洽谈中' },
  { key: 'signed', name: '签约' }, { key: 'industrialised', name: '成果转化落地' },
];
const DISPATCH_SERIES = [
  { key: 'posted', name: '发布', color: 0 }, { key: 'matched', name: '已对接', color: 4 }, { key: 'unmatched', name: '未对接', color: 5 },
];

function periodDefaults() {
  const now = new Date();
  const y = now.getFullYear();
  const m = now.getMonth() + 1;
  return { quarter: `${y}Q${Math.floor((m - 1) / 3) + 1}`, batch: `${y}H${m <= 6 ? 1 : 2}`, year: String(y) };
}

function periodSelect(name, label, options, selected) {
  return h('label', { class: 'period' }, h('span', { class: 'field-label' }, label),
    h('select', { name, 'aria-label': label }, options.map(([v, t]) => h('option', { value: v, selected: v === selected }, t))));
}

function chartBox(svg, emptyText, testid) {
  return h('div', { class: 'chart-box', 'data-testid': testid }, svg || empty(emptyText));
}

async function viewLedger(panel, route) {
  const { params } = route;
  const def = periodDefaults();
  const p = {
    quarter: /^\d{4}Q[1-4]$/.test(params.get('quarter') || '') ? params.get('quarter') : def.quarter,
    batch: /^\d{4}H[12]$/.test(params.get('batch') || '') ? params.get('batch') : def.batch,
    year: /^\d{4}$/.test(params.get('year') || '') ? params.get('year') : def.year,
    by: DIMENSIONS[params.get('by')] ? params.get('by') : 'city',
    mode: params.get('mode') === 'stacked' ? 'stacked' : 'grouped',
  };
  const years = [];
  for (let y = Number(def.year) + 1; y >= 2023; y--) years.push(y);
  for (const v of [Number(p.year), Number(p.quarter.slice(0, 4)), Number(p.batch.slice(0, 4))]) if (!years.includes(v)) years.push(v);
  years.sort((a, b) => b - a);
  const quarter = periodSelect('quarter', '季度', years.flatMap((y) => [4, 3, 2, 1].map((q) => [`${y}Q${q}`, `${y} 年第 ${q} 季度`])), p.quarter);
  const batch = periodSelect('batch', '批次（半年）', years.flatMap((y) => [[`${y}H2`, `${y} 年下半年`], [`${y}H1`, `${y} 年上半年`]]), p.batch);
  const year = periodSelect('year', '考核年度', years.map((y) => [String(y), `${y} 年`]), p.year);
  const by = periodSelect('by', '分组', Object.entries(DIMENSIONS), p.by);
  const value = (label) => label.querySelector('select').value;
  const submit = (extra = {}) => go('ledger', '', { quarter: value(quarter), batch: value(batch), year: value(year), by: value(by), mode: p.mode, ...extra });
  for (const sel of [quarter, batch, year, by]) sel.querySelector('select').addEventListener('change', () => submit());
  const workbookName = `台账报表-${p.quarter}.xlsx`;
  const dl = button('下载 Excel 报表', async (ev) => {
    const b = ev.currentTarget;
    b.disabled = true;
    b.textContent = '正在生成…';
    try {
      await download('/reports/workbook', { quarter: value(quarter), batch: value(batch), year: value(year) }, workbookName);
    } catch (err) {
      panel.prepend(errorBox(err));
    } finally {
      b.disabled = false;
      b.textContent = '下载 Excel 报表';
    }
  });
  dl.dataset.testid = 'ledger-workbook';
  const out = h('div', { class: 'results', 'data-testid': 'ledger' }, loading('正在统计…'));
  panel.replaceChildren(section('台账统计', 'Ledger & statistics',
    h('p', { class: 'muted small' }, '对接台账的季度统计、半年调度与年度考核。选择期间与分组维度；报表含四个维度的全部表格，可下载为 Excel。'),
    h('form', { class: 'ledger-controls', onsubmit: (e) => { e.preventDefault(); submit(); } },
      quarter, batch, year, by, h('div', { class: 'ledger-actions' }, h('button', { type: 'submit', class: 'primary' }, '统计'), dl))), out);

  const dim = DIMENSIONS[p.by];
  const [q, hy, an] = await Promise.allSettled([
    api('/reports/quarterly', { quarter: p.quarter, by: p.by }),
    api('/reports/half-year', { batch: p.batch, by: p.by }),
    api('/reports/annual', { year: p.year, by: p.by }),
  ]);
  if (!route.live()) return;

  const quarterly = () => {
    const r = q.value;
    const groups = r.rows.map((row) => ({ key: row.group, name: row.group }));
    const rows = Object.fromEntries(r.rows.map((row) => [row.group, row]));
    const chart = barChart({
      groups, series: STAGE_SERIES, mode: p.mode, unit: ' 项', dimension: dim,
      value: (g, k) => rows[g][k], caption: `${p.quarter} 各${dim}对接阶段`,
    });
    const t = r.totals;
    const toggle = h('div', { class: 'seg', role: 'group', 'aria-label': '图表样式' },
      ['grouped', 'stacked'].map((m) => h('button', {
        type: 'button', class: `small${p.mode === m ? ' active' : ''}`, 'aria-pressed': String(p.mode === m),
        onclick: () => submit({ mode: m }),
      }, m === 'grouped' ? '并列' : '堆叠')));
    return section(`季度统计 · ${p.quarter}`, `Quarterly by ${p.by}`,
      h('div', { class: 'chart-head' },
        h('p', { class: 'small stats' }, STAGE_SERIES.map((ser) => h('span', {}, `${ser.name} `, h('b', {}, number(t[ser.key])))),
          h('span', {}, '签约金额 ', h('b', {}, number(t.amount_wan, 2)), ' 万元')),
        toggle),
      chartBox(chart, `${p.quarter} 没有台账记录。`, 'chart-quarterly'));
  };

  const dispatch = () => {
    const r = hy.value;
    const rows = Object.fromEntries(r.rows.map((row) => [row.group, row]));
    const chart = barChart({
      groups: r.rows.map((row) => ({ key: row.group, name: row.group })), series: DISPATCH_SERIES, unit: ' 条', dimension: dim,
      value: (g, k) => rows[g][k], caption: `${p.batch} 各${dim}需求对接情况`,
    });
    const t = r.totals;
    const shown = r.unmatched.slice(0, 50);
    return section(`半年调度 · ${p.batch}`, 'Half-year dispatch',
      h('p', { class: 'small stats' }, h('span', {}, '发布 ', h('b', {}, number(t.posted))), h('span', {}, '已对接 ', h('b', {}, number(t.matched))),
        h('span', {}, '未对接 ', h('b', {}, number(t.unmatched))), h('span', {}, '结转 ', h('b', {}, number(t.carried_over)))),
      chartBox(chart, `${p.batch} 批次没有需求。`, 'chart-dispatch'),
      r.unmatched.length ? h('details', { class: 'unmatched', open: r.unmatched.length <= 12 },
        h('summary', {}, `未对接需求 ${r.unmatched.length} 条及原因`),
        h('ul', { class: 'unmatched-list', 'data-testid': 'unmatched' }, shown.map((u) => h('li', {},
          entityLink(u.demand_id, u.demand), h('span', { class: 'muted small' }, ` ${u.group}`),
          h('span', { class: 'chip warn' }, u.reason.replace(/\s*\(.*\)$/, ''))))),
        r.unmatched.length > shown.length ? h('p', { class: 'muted small' }, `另有 ${r.unmatched.length - shown.length} 条，见 Excel 报表。`) : null) : null);
  };

  const annual = () => {
    const r = an.value;
    const pr = r.progress;
    const yuan = (wan) => (wan >= 10000 ? `${number(wan / 10000, 2)} 亿` : `${number(wan, 2)} 万`);
    const chart = progressBars({
      caption: `截至 ${p.year} 年累计完成情况`,
      items: [
        { key: 'results_industrialised', name: '成果转化落地', unit: '项', format: (v) => number(v), ...pr.results_industrialised },
        { key: 'investment_wan', name: '企业投入', unit: '元', format: yuan, ...pr.investment_wan },
        { key: 'high_tech_enterprises', name: '高新技术企业', unit: '家', format: (v) => number(v), ...pr.high_tech_enterprises },
      ],
    });
    const rows = r.rows.filter((row) => row.industrialised || row.investment_wan || row.high_tech);
    return section(`年度考核 · ${p.year}`, 'Annual assessment',
      h('p', { class: 'muted small' }, `${r.targets.start_year}—${r.targets.target_year} 年目标：成果转化 ${number(r.targets.results_industrialised)} 项、企业投入 ${yuan(r.targets.investment_wan)}元、培育高新技术企业 ${number(r.targets.high_tech_enterprises)} 家；进度为 ${r.targets.start_year} 年起至 ${p.year} 年底的累计值。`),
      h('div', { class: 'chart-box', 'data-testid': 'chart-progress' }, chart),
      rows.length ? h('table', { class: 'ledger-table' },
        h('thead', {}, h('tr', {}, h('th', {}, dim), h('th', {}, `${p.year} 年成果转化`), h('th', {}, '签约投入（万元）'), h('th', {}, '高新技术企业'))),
        h('tbody', {}, rows.map((row) => h('tr', {}, h('td', {}, row.group), h('td', {}, number(row.industrialised)),
          h('td', {}, number(row.investment_wan, 2)), h('td', {}, number(row.high_tech)))))) : empty(`${p.year} 年尚无转化、投入或认定记录。`));
  };

  const part = (result, draw, name) => (result.status === 'fulfilled' ? draw() : section(name, '', errorBox(result.reason)));
  out.replaceChildren(part(q, quarterly, '季度统计'), part(hy, dispatch, '半年调度'), part(an, annual, '年度考核'));
}

const VIEWS = {
  search: viewSearch,
  entity: viewEntity,
  paths: viewPaths,
  demand: viewDemand,
  researcher: viewResearcher,
  recommend: viewRecommend,
  alliances: viewAlliances,
  licence: viewLicence,
  ledger: viewLedger,
  review: viewReview,
};

// --------------------------------------------------------------------------- shell

function parseHash() {
  const raw = window.location.hash.replace(/^#\/?/, '');
  const [path, query = ''] = raw.split('?');
  const [name, ...rest] = path.split('/');
  return { name: name || 'search', arg: rest.map(decodeURIComponent).join('/'), params: new URLSearchParams(query) };
}

async function render() {
  if (!state.me) return;
  const route = parseHash();
  const view = VIEWS[route.name] || viewSearch;
  const seq = ++state.seq;
  for (const a of document.querySelectorAll('#nav a')) {
    const active = a.dataset.view === route.name || (route.name === 'search' && a.dataset.view === 'demand' && route.params.get('kind') === 'demand');
    a.classList.toggle('active', active && !(a.dataset.view === 'search' && route.params.get('kind') === 'demand'));
  }
  // Each view draws into its own container; one that finishes after the user moved on draws
  // into a detached container, and checks live() before touching the shared graph.
  const panel = h('div', { class: 'view', dataset: { view: route.name } });
  $('#panel').replaceChildren(panel);
  // The ledger's charts and the review's side-by-side records take the whole width; the graph
  // comes back (and refits) elsewhere.
  const wide = route.name === 'ledger' || route.name === 'review';
  if ($('#app').classList.contains('wide') !== wide) {
    $('#app').classList.toggle('wide', wide);
    if (!wide && state.graph) requestAnimationFrame(() => state.graph.cy.resize());
  }
  route.live = () => seq === state.seq;
  try {
    await view(panel, route);
  } catch (err) {
    if (route.live()) panel.replaceChildren(errorBox(err));
  }
}

function showUser(me) {
  const user = $('#user');
  user.replaceChildren(
    h('span', { class: 'user-name', 'data-testid': 'user-name' }, me.name),
    h('span', { class: 'chip role' }, ROLE_NAMES[me.role] || me.role),
    h('span', { class: 'muted small', title: '个人信息 (personal data)' }, me.sees_personal_data ? '个人信息可见（留痕）' : '个人信息已脱敏'),
    h('button', { type: 'button', class: 'small', onclick: logout }, '退出'));
  user.hidden = false;
  for (const a of document.querySelectorAll('#nav a')) a.hidden = !me.allowed.includes(a.dataset.needs);
  $('#nav').hidden = false;
}

function showLogin(message) {
  state.me = null;
  $('#app').hidden = true;
  $('#nav').hidden = true;
  $('#user').hidden = true;
  $('#login').hidden = false;
  const error = $('#login-error');
  error.textContent = message || '';
  error.hidden = !message;
  $('#token-input').focus();
}

async function start(token) {
  const me = await whoami(token);
  state.me = me;
  $('#login').hidden = true;
  $('#app').hidden = false;
  showUser(me);
  if (!state.graph) {
    state.graph = new GraphView($('#graph'), {
      cap: 150,
      onOpen: (id) => go('entity', id),
      actions: (node) => [
        ['设为起点', () => go('paths', '', { ...Object.fromEntries(parseHash().params), source: node.id })],
        ['设为终点', () => go('paths', '', { ...Object.fromEntries(parseHash().params), target: node.id })],
      ],
    });
  }
  await render();
}

function logout() {
  auth.clear();
  showLogin();
}

$('#login-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const token = $('#token-input').value.trim();
  try {
    await start(token);
    auth.set(token);
    $('#token-input').value = '';
  } catch (err) {
    showLogin(err.status === 401 ? '令牌无效或已吊销，请检查后重试。' : err.message);
  }
});

window.addEventListener('hashchange', render);
window.addEventListener('xiaoqi:logout', () => showLogin('登录已失效，请重新输入令牌。'));

if (auth.token) {
  start(auth.token).catch(() => showLogin('登录已失效，请重新输入令牌。'));
} else {
  showLogin();
}
