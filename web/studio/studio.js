// misato-studio: the page staff edit the lobby with. Plain JS, no library,
// no network beyond this server. Every field is checked as it is typed by
// the server, which runs the player's own validator (feed_parse); nothing is
// published while a problem stands. Untrusted text is only ever set with
// textContent, never as HTML.
'use strict';

const S = {
  csrf: '', user: '', etag: '', base: null, draft: null, problems: [], ok: false,
  width: 1920, height: 1080, checkTimer: 0, previewTimer: 0, checkSeq: 0, previewSeq: 0,
  changes: [],
};

const $ = (id) => document.getElementById(id);

// h('tag', {attr: v, on: {click: f}}, child...): an element, children as text or nodes.
function h(tag, attrs, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === 'on') for (const [ev, f] of Object.entries(v)) e.addEventListener(ev, f);
    else if (k === 'class') e.className = v;
    else if (k === 'dataset') Object.assign(e.dataset, v);
    else if (v === true) e.setAttribute(k, '');
    else if (v !== false && v != null) e.setAttribute(k, v);
  }
  for (const k of kids) if (k != null) e.append(k.nodeType ? k : String(k));
  return e;
}

async function api(method, path, body) {
  const opt = {method, headers: {}, credentials: 'same-origin'};
  if (method === 'POST') {
    opt.headers['Content-Type'] = 'application/json';
    opt.headers['X-CSRF-Token'] = S.csrf;
    opt.body = JSON.stringify(body || {});
  }
  const r = await fetch(path, opt);
  let j = {};
  try { j = await r.json(); } catch (e) { j = {error: '応答が読めません'}; }
  if (r.status === 401 && path !== '/api/login') {
    showLogin();
    if (S.draft) $('login-error').textContent = 'ログインの期限が切れました。ログインし直すと、編集中の内容はそのまま残ります。';
  }
  return {status: r.status, body: j};
}

// --- login ---------------------------------------------------------------

function showLogin() {
  $('app').hidden = true;
  $('who').hidden = true;
  $('login-box').hidden = false;
  $('login-user').focus();
}

async function login(ev) {
  ev.preventDefault();
  const r = await api('POST', '/api/login', {user: $('login-user').value, password: $('login-pass').value});
  $('login-pass').value = '';
  if (r.status !== 200) {
    $('login-error').textContent = r.body.error || 'ログインできませんでした';
    return;
  }
  $('login-error').textContent = '';
  await start();
}

async function start() {
  const s = await api('GET', '/api/session');
  if (s.status !== 200) return showLogin();
  S.csrf = s.body.csrf;
  S.user = s.body.user;
  S.width = s.body.width;
  S.height = s.body.height;
  $('user').textContent = S.user;
  $('who').hidden = false;
  $('login-box').hidden = true;
  $('app').hidden = false;
  $('preview-size').textContent = `${S.width}×${S.height} (${S.width >= S.height ? '横長' : '縦長'})`;
  // After a session ran out mid-edit the draft is still here: keep it (a
  // later publish is checked against the version it started from).
  if (S.draft) check();
  else await loadFeed();
  loadVersions();
}

async function loadFeed() {
  const r = await api('GET', '/api/feed');
  if (r.status !== 200) { setStatus(r.body.error || '読み込めません', true); return; }
  S.etag = r.body.etag;
  S.base = r.body.feed;
  S.draft = JSON.parse(JSON.stringify(r.body.feed));
  renderAll();
  applyCheck(r.body.check, []);
  schedulePreview(0);
}

// --- the model ----------------------------------------------------------

function fyKeys() {
  const p = (S.draft.plan || {});
  const first = parseInt(String(p.first_fy || 'R6').slice(1), 10) || 6;
  const last = parseInt(String(p.last_fy || 'R11').slice(1), 10) || 11;
  const keys = [];
  for (let y = first; y <= last && keys.length < 30; y++) keys.push('R' + y);
  return keys;
}

// Full-width digits and thousands separators, as staff type them, become a
// number; anything else stays text so that the validator names it.
function toValue(text) {
  const t = text.replace(/[０-９．]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xFEE0))
    .replace(/[,，\s]/g, '');
  if (t === '') return undefined;
  if (/^-?\d+(\.\d+)?$/.test(t)) return Number(t);
  return text;
}

function setIn(obj, key, value) {
  if (value === undefined || value === '') delete obj[key];
  else obj[key] = value;
}

function changed() {
  clearTimeout(S.checkTimer);
  setStatus('確認中…', false);
  $('btn-review').disabled = true;
  S.checkTimer = setTimeout(check, 250);
}

// --- the measures table ---------------------------------------------------

function yearInput(m, i, kind, fy) {
  const series = m[kind] || {};
  const v = series[fy];
  const path = `measures[${i}].${kind}.${fy}`;
  return h('input', {
    class: kind === 'actual_notes' ? 'note' : 'num', 'data-path': path, value: v == null ? '' : String(v),
    'aria-label': `${m.id} ${fy} ${kind === 'targets' ? '目標' : kind === 'actuals' ? '実績' : '実績の注記'}`,
    inputmode: kind === 'actual_notes' ? 'text' : 'decimal',
    on: {input: (e) => {
      if (!m[kind]) m[kind] = {};
      setIn(m[kind], fy, kind === 'actual_notes' ? e.target.value : toValue(e.target.value));
      if (Object.keys(m[kind]).length === 0) delete m[kind];
      changed();
    }},
  });
}

function renderMeasures() {
  const t = $('measures-table');
  t.replaceChildren();
  const years = fyKeys();
  t.append(h('thead', {}, h('tr', {}, h('th', {}, '施策'), h('th', {}, '指標・単位'), h('th', {}, 'まとめ'),
    h('th', {}, ''), ...years.map((y) => h('th', {}, `${y}年度`)))));
  const body = h('tbody', {});
  (S.draft.measures || []).forEach((m, i) => {
    const kinds = m.metric ? [['targets', '目標'], ['actuals', '実績'], ['actual_notes', '注記']]
      : [['actual_notes', '実績 (文章)']];
    kinds.forEach(([kind, label], k) => {
      const tr = h('tr', {class: k === 0 ? 'first' : ''});
      if (k === 0) {
        tr.append(h('th', {rowspan: kinds.length, class: 'mname', 'data-path': `measures[${i}]`},
          h('b', {}, m.id), ' ', m.name || ''));
        const unitCell = h('td', {rowspan: kinds.length});
        if (m.metric) {
          unitCell.append(h('span', {class: 'metric'}, m.metric.name || ''), h('br'),
            h('input', {class: 'unit', value: m.metric.unit || '', 'data-path': `measures[${i}].metric.unit`,
              'aria-label': `${m.id} 単位`,
              on: {input: (e) => { m.metric.unit = e.target.value; changed(); }}}));
        }
        tr.append(unitCell);
        tr.append(h('td', {rowspan: kinds.length, class: 'center'}, h('input', {type: 'checkbox',
          'aria-label': `${m.id} まとめに表示`, 'data-path': `measures[${i}].headline`, checked: !!m.headline,
          on: {change: (e) => { setIn(m, 'headline', e.target.checked ? true : undefined); changed(); }}})));
      }
      tr.append(h('th', {class: 'kind'}, label));
      for (const fy of years) tr.append(h('td', {}, yearInput(m, i, kind, fy)));
      body.append(tr);
    });
  });
  t.append(body);
}

// --- announcements -------------------------------------------------------------

const DAYS = [['sun', '日'], ['mon', '月'], ['tue', '火'], ['wed', '水'], ['thu', '木'], ['fri', '金'], ['sat', '土']];

function field(label, input, en) {
  return h('label', {class: 'field'}, h('span', {class: 'lab'}, label, en ? h('span', {class: 'en'}, ' ' + en) : null), input);
}

function textInput(obj, key, path, opts) {
  const o = opts || {};
  const tag = o.area ? 'textarea' : 'input';
  const e = h(tag, {'data-path': path, type: o.type || (o.area ? null : 'text'), placeholder: o.placeholder || null,
    on: {input: (ev) => {
      let v = ev.target.value;
      if (o.number) v = toValue(v);
      setIn(obj, key, v);
      if (o.after) o.after();
      changed();
    }}});
  const v = obj[key];
  e.value = v == null ? '' : String(v);
  return e;
}

function renderNews() {
  const list = $('news-list');
  list.replaceChildren();
  const arr = S.draft.announcements || [];
  const media = (S.draft.media || []).map((m) => m.id);
  arr.forEach((a, i) => {
    const p = `announcements[${i}]`;
    const img = h('select', {'data-path': `${p}.image`, on: {change: (e) => { setIn(a, 'image', e.target.value); changed(); }}},
      h('option', {value: ''}, 'なし'), ...media.map((id) => h('option', {value: id, selected: a.image === id}, id)));
    const pri = h('select', {'data-path': `${p}.priority`, on: {change: (e) => { setIn(a, 'priority', e.target.value === 'normal' ? undefined : e.target.value); changed(); }}},
      ...[['high', '重要 (先に表示)'], ['normal', 'ふつう'], ['low', '低い']].map(([v, t]) =>
        h('option', {value: v, selected: (a.priority || 'normal') === v}, t)));
    const days = h('span', {class: 'days', 'data-path': `${p}.show_days`}, ...DAYS.map(([d, t]) => h('label', {},
      h('input', {type: 'checkbox', checked: !a.show_days || a.show_days.includes(d), on: {change: () => {
        const on = [...days.querySelectorAll('input')].map((x, k) => x.checked ? DAYS[k][0] : null).filter(Boolean);
        setIn(a, 'show_days', on.length === 7 ? undefined : on);
        changed();
      }}}), t)));
    const card = h('div', {class: 'item', 'data-path': p},
      h('div', {class: 'item-head'}, h('b', {}, `お知らせ ${i + 1}`),
        h('button', {type: 'button', disabled: i === 0, on: {click: () => { arr.splice(i - 1, 0, arr.splice(i, 1)[0]); renderNews(); changed(); }}}, '↑ 上へ'),
        h('button', {type: 'button', class: 'danger', on: {click: () => { arr.splice(i, 1); if (!arr.length) delete S.draft.announcements; renderNews(); changed(); }}}, '削除')),
      field('題名 (必須)', textInput(a, 'title', `${p}.title`)),
      field('本文', textInput(a, 'body', `${p}.body`, {area: true})),
      h('div', {class: 'row'},
        field('表示開始日', textInput(a, 'valid_from', `${p}.valid_from`, {type: 'date'})),
        field('表示終了日 (その日まで)', textInput(a, 'valid_until', `${p}.valid_until`, {type: 'date'})),
        field('表示する時間', textInput(a, 'show_hours', `${p}.show_hours`, {placeholder: '08:30-17:15'})),
        field('秒数', textInput(a, 'seconds', `${p}.seconds`, {number: true, placeholder: '既定'}))),
      h('div', {class: 'row'}, field('表示する曜日', days), field('重要度', pri), field('画像', img)),
      field('URL (QRコードで表示)', textInput(a, 'url', `${p}.url`, {placeholder: 'https://'})));
    list.append(card);
  });
}

// --- ticker ----------------------------------------------------------------------

function renderTicker() {
  const list = $('ticker-list');
  list.replaceChildren();
  const arr = S.draft.ticker || [];
  arr.forEach((t, i) => {
    const obj = typeof t === 'string' ? {text: t} : t;
    const store = () => { arr[i] = (obj.valid_from || obj.valid_until) ? obj : (obj.text || ''); };
    const p = `ticker[${i}]`;
    list.append(h('div', {class: 'item row', 'data-path': typeof t === 'string' ? null : p},
      field(`テロップ ${i + 1}`, textInput(obj, 'text', typeof t === 'string' ? p : `${p}.text`, {after: store})),
      field('開始日', textInput(obj, 'valid_from', `${p}.valid_from`, {type: 'date', after: store})),
      field('終了日', textInput(obj, 'valid_until', `${p}.valid_until`, {type: 'date', after: store})),
      h('button', {type: 'button', class: 'danger', on: {click: () => { arr.splice(i, 1); if (!arr.length) delete S.draft.ticker; renderTicker(); changed(); }}}, '削除')));
  });
}

// --- the alert -----------------------------------------------------------------------

const LEVELS = [['info', 'お知らせ (青)'], ['warning', '警報 (黄)'], ['emergency', '緊急 (赤)']];

function renderAlert() {
  const box = $('alert-box');
  box.replaceChildren();
  const al = S.draft.alert;
  if (!al) {
    box.append(h('p', {}, '今は出していません。'),
      h('button', {type: 'button', class: 'danger', id: 'alert-new', on: {click: async () => {
        if (!await dialog('緊急のお知らせを作りますか？', [h('p', {},
          '緊急のお知らせは、公開するとロビーの画面全体に、ほかのスライドの代わりに表示されます。'),
          h('p', {}, '災害や急な閉庁など、本当に急ぐときだけ使ってください。')], '作る', 'danger')) return;
        S.draft.alert = {level: 'warning', title: '', text: '', until: ''};
        renderAlert();
        changed();
      }}}, '緊急のお知らせを作る'));
    return;
  }
  const lev = h('select', {'data-path': 'alert.level', on: {change: (e) => { al.level = e.target.value; changed(); }}},
    ...LEVELS.map(([v, t]) => h('option', {value: v, selected: (al.level || 'warning') === v}, t)));
  const until = h('input', {type: 'datetime-local', 'data-path': 'alert.until', value: (al.until || '').slice(0, 16),
    on: {input: (e) => { setIn(al, 'until', e.target.value); changed(); }}});
  box.append(h('p', {class: 'warn'}, '公開すると、ロビーの画面全体にすぐ表示されます。'),
    h('div', {class: 'row'}, field('レベル', lev), field('期限 (この日時に消えます)', until)),
    field('題名', textInput(al, 'title', 'alert.title', {placeholder: '大雨警報'})),
    field('本文 (必須)', textInput(al, 'text', 'alert.text', {area: true})),
    h('button', {type: 'button', on: {click: () => { S.draft.alert = null; renderAlert(); changed(); }}}, '緊急のお知らせを取り消す'));
}

function renderAll() {
  renderMeasures();
  renderNews();
  renderTicker();
  renderAlert();
}

// --- checking as typed -------------------------------------------------------------

async function check() {
  const seq = ++S.checkSeq;
  const r = await api('POST', '/api/check', {feed: S.draft});
  if (seq !== S.checkSeq) return; // a newer edit is being checked
  if (r.status !== 200) { setStatus(r.body.error || '確認できません', true); return; }
  applyCheck(r.body, r.body.changes || []);
  if (r.body.ok) schedulePreview(600);
}

function setStatus(text, bad) {
  $('status-text').textContent = text;
  $('statusbar').classList.toggle('bad', !!bad);
}

function applyCheck(chk, changes) {
  S.problems = chk.problems || [];
  S.ok = !!chk.ok;
  S.changes = changes;
  for (const e of document.querySelectorAll('.msg')) e.remove();
  for (const e of document.querySelectorAll('[aria-invalid]')) e.removeAttribute('aria-invalid');
  const general = [];
  for (const p of S.problems) {
    // The field itself, else the nearest enclosing item that has a place.
    let path = p.path, target = null;
    while (path && !target) {
      target = document.querySelector(`[data-path="${CSS.escape(path)}"]`);
      if (!target) path = path.replace(/(\.[^.[\]]+|\[\d+\])$/, '') === path ? '' : path.replace(/(\.[^.[\]]+|\[\d+\])$/, '');
    }
    const text = `${p.ja} (${p.en})`;
    if (target) {
      target.setAttribute('aria-invalid', 'true');
      const msg = h('div', {class: 'msg', role: 'alert', 'data-for': p.path}, '⚠ ' + text);
      if (target.tagName === 'INPUT' || target.tagName === 'SELECT' || target.tagName === 'TEXTAREA') target.after(msg);
      else target.append(msg);
    } else {
      general.push(`${p.path}: ${text}`);
    }
  }
  $('general-problems').textContent = general.join('\n');
  $('btn-review').disabled = !S.ok;
  if (!S.ok) setStatus(`直すところが ${S.problems.length} か所あります。直すまで公開できません。`, true);
  else if (changes.length) setStatus(`公開できます (変更 ${changes.length} 件、まだ公開していません)`, false);
  else setStatus('公開されている内容と同じです', false);
}

// --- preview -------------------------------------------------------------------------

function schedulePreview(ms) {
  clearTimeout(S.previewTimer);
  S.previewTimer = setTimeout(preview, ms);
}

async function preview() {
  const seq = ++S.previewSeq;
  $('preview-status').textContent = '描いています…';
  const t0 = performance.now();
  const r = await api('POST', '/api/preview', {feed: S.draft, at: $('preview-at').value});
  if (seq !== S.previewSeq) return;
  if (r.status !== 200) { $('preview-status').textContent = r.body.error || 'プレビューできません'; return; }
  const sheet = $('sheet');
  sheet.replaceChildren();
  const slides = r.body.slides;
  let n = 0;
  await Promise.all(slides.map((s) => new Promise((done) => {
    const img = h('img', {alt: s.id, loading: 'eager'});
    img.addEventListener('load', () => { n++; done(); });
    img.addEventListener('error', done);
    img.src = s.url;
    const fig = h('figure', {class: s.changed ? 'slide changed' : 'slide', 'data-slide': s.id, tabindex: 0,
      on: {click: () => showBig(s)}}, img,
      h('figcaption', {}, `${String(s.n).padStart(2, '0')} ${s.id}`, s.changed ? h('span', {class: 'badge'}, '変更あり') : null));
    sheet.append(fig);
  })));
  const nc = slides.filter((s) => s.changed).length;
  $('preview-status').textContent = `${r.body.at} の表示: ${slides.length} 枚 (変わるもの ${nc} 枚)、${Math.round(performance.now() - t0)} ms`;
  sheet.dataset.key = r.body.key;
  // The enlarged slide follows the new version (or goes when it no longer exists).
  const shown = $('big').hidden ? null : slides.find((x) => x.id === $('big-img').alt);
  if (shown) showBig(shown, false);
  else $('big').hidden = true;
  sheet.dataset.loaded = String(n);
}

function showBig(s, scroll) {
  $('big').hidden = false;
  $('big-img').src = s.url;
  $('big-img').alt = s.id;
  $('big-label').textContent = `${s.n}. ${s.id}${s.changed ? ' (変更あり)' : ''}`;
  if (scroll !== false) $('big').scrollIntoView({block: 'nearest'});
}

// --- dialogs, publish, versions ------------------------------------------------------

function dialog(title, body, okText, okClass) {
  return new Promise((resolve) => {
    const d = $('dlg');
    $('dlg-title').textContent = title;
    $('dlg-body').replaceChildren(...body);
    $('dlg-ok').textContent = okText || 'OK';
    $('dlg-ok').className = okClass || 'primary';
    $('dlg-ok').hidden = okText === null;
    const finish = (v) => { d.close(); $('dlg-ok').onclick = $('dlg-cancel').onclick = null; resolve(v); };
    $('dlg-ok').onclick = () => finish(true);
    $('dlg-cancel').onclick = () => finish(false);
    d.showModal();
  });
}

function list(items) {
  return h('ul', {class: 'changes'}, ...items.map((t) => h('li', {}, t)));
}

async function review() {
  await check();
  if (!S.ok) return;
  if (!S.changes.length) { await dialog('変更はありません', [h('p', {}, '公開されている内容と同じです。')], null); return; }
  const alertOn = S.draft.alert && !(S.base && S.base.alert);
  const body = [h('p', {}, '次の変更をロビーの画面に公開します。'), list(S.changes)];
  if (alertOn) body.push(h('p', {class: 'warn'}, '緊急のお知らせが、画面全体にすぐ表示されます。よろしいですか？'));
  if (!await dialog('公開の確認', body, alertOn ? '緊急のお知らせを含めて公開する' : '公開する', alertOn ? 'danger' : 'primary')) return;
  const r = await api('POST', '/api/publish', {feed: S.draft, etag: S.etag});
  if (r.status === 200) {
    S.etag = r.body.etag;
    await loadFeed();
    loadVersions();
    setStatus('公開しました。ロビーの画面には次の取得 (1分ほど) で出ます。', false);
    return;
  }
  if (r.status === 409) {
    const by = r.body.by || {};
    const again = await dialog('ほかの人が先に公開しました', [
      h('p', {}, `${by.user === '-' ? 'スタジオの外で' : (by.user || '別の人') + ' さんが'} ${String(by.time || '').replace('T', ' ')} に書き換えた内容:`),
      list((r.body.their_changes || []).length ? r.body.their_changes : ['(内容の違いは見つかりませんでした)']),
      h('p', {}, 'あなたの変更 (まだ公開されていません):'), list(r.body.your_changes || S.changes),
      h('p', {}, '最新の内容を読み込んでから、あなたの変更をもう一度入れてください。')],
      '最新の内容を読み込む');
    if (again) { await loadFeed(); loadVersions(); setStatus('最新の内容を読み込みました。変更をもう一度入れてください。', true); }
    return;
  }
  if (r.status === 422) { applyCheck(r.body, S.changes); return; }
  setStatus(r.body.error || '公開できませんでした', true);
}

async function loadVersions() {
  const r = await api('GET', '/api/versions');
  const t = $('versions');
  t.replaceChildren(h('tr', {}, h('th', {}, '版'), h('th', {}, '日時'), h('th', {}, '公開した人'), h('th', {}, 'メモ'), h('th', {}, '')));
  if (r.status !== 200) return;
  r.body.versions.forEach((v, k) => {
    t.append(h('tr', {}, h('td', {}, String(v.id)), h('td', {}, String(v.time).replace('T', ' ')), h('td', {}, v.user === '-' ? '(スタジオの外)' : v.user),
      h('td', {}, v.note || (k === 0 ? '(いま公開中)' : '')),
      h('td', {}, k === 0 ? '' : h('button', {type: 'button', 'data-version': v.id, on: {click: () => restore(v)}}, 'この版に戻す'))));
  });
}

async function restore(v) {
  if (!await dialog(`版 ${v.id} に戻す`, [h('p', {}, `${String(v.time).replace('T', ' ')} に ${v.user} さんが公開した内容に戻して、すぐ公開します。`)], '戻して公開する')) return;
  const r = await api('POST', '/api/restore', {id: v.id, etag: S.etag});
  if (r.status === 200) { await loadFeed(); loadVersions(); setStatus(`版 ${v.id} に戻しました。`, false); }
  else if (r.status === 409) { await loadFeed(); loadVersions(); setStatus('ほかの人が先に公開したので、読み込み直しました。もう一度選んでください。', true); }
  else setStatus(r.body.error || '戻せませんでした', true);
}

document.addEventListener('DOMContentLoaded', () => {
  $('login-form').addEventListener('submit', login);
  $('logout').addEventListener('click', async () => {
    if (S.changes.length && !await dialog('ログアウト', [h('p', {}, 'まだ公開していない変更は消えます。ログアウトしますか？')], 'ログアウトする')) return;
    await api('POST', '/api/logout');
    S.draft = null;
    S.changes = [];
    showLogin();
  });
  // Leaving the page with unpublished changes asks first.
  window.addEventListener('beforeunload', (e) => {
    if (S.changes.length) { e.preventDefault(); e.returnValue = ''; }
  });
  $('btn-preview').addEventListener('click', () => schedulePreview(0));
  $('btn-review').addEventListener('click', review);
  $('preview-at').addEventListener('change', () => schedulePreview(0));
  $('news-add').addEventListener('click', () => {
    (S.draft.announcements = S.draft.announcements || []).push({title: ''});
    renderNews();
    changed();
  });
  $('ticker-add').addEventListener('click', () => {
    (S.draft.ticker = S.draft.ticker || []).push('');
    renderTicker();
    changed();
  });
  start();
});
