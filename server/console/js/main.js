// The console's start: language, session (resumed from the cookie, else the sign-in dialog),
// the pages the role may open, and the `#/page?query` router.

import { t, setLanguage, language, relabel } from './i18n.js';
import { session, resume, ask, signOut } from './session.js';
import { el, failed } from './ui.js';
import * as week from './pages/week.js';
import * as map from './pages/map.js';
import * as ledger from './pages/ledger.js';
import * as patrol from './pages/patrol.js';
import * as reconciliation from './pages/reconciliation.js';
import * as cases from './pages/cases.js';
import * as flags from './pages/flags.js';

/** Each page, and the roles it is for (docs/console.md). Office roles only: officers use phones. */
const OFFICE = ['township_inspector', 'county_auditor', 'commissioner'];
const PAGES = [
  ['week', week, OFFICE],
  ['map', map, OFFICE],
  ['ledger', ledger, OFFICE],
  ['reconciliation', reconciliation, OFFICE],
  ['cases', cases, OFFICE],
  ['flags', flags, OFFICE],
  ['patrol', patrol, OFFICE, true],
];

function pagesFor(role) {
  return PAGES.filter(([, , roles]) => roles.includes(role));
}

function route() {
  const [name, query] = location.hash.replace(/^#\/?/, '').split('?');
  return { name, params: Object.fromEntries(new URLSearchParams(query ?? '')) };
}

/** `#/name?params`, without empty values. */
export function href(name, params = {}) {
  const q = new URLSearchParams(Object.entries(params).filter(([, v]) => v !== '' && v != null));
  return `#/${name}${q.toString() ? `?${q}` : ''}`;
}

function drawChrome() {
  const s = session();
  const nav = document.getElementById('nav');
  const current = route().name;
  nav.replaceChildren(...pagesFor(s.role).filter((p) => !p[3]).map(([name]) =>
    el('a', { href: href(name), 'aria-current': name === current ? 'page' : null }, t(`page.${name}`))));
  document.getElementById('who').textContent = `${s.displayName} · ${s.user}`;
  document.getElementById('logout').hidden = false;
  const lang = document.getElementById('lang');
  lang.textContent = language() === 'zh' ? 'English' : '中文';
  lang.lang = language() === 'zh' ? 'en' : 'zh-CN';
  relabel(document);
}

let drawing = 0;
async function draw() {
  const s = session();
  if (!s) return;
  drawChrome();
  const main = document.getElementById('main');
  const allowed = pagesFor(s.role);
  const { name, params } = route();
  const page = allowed.find(([n]) => n === name) ?? allowed[0];
  if (!page) {
    main.replaceChildren(el('h1', {}, t('page.none')), el('p', {}, t('none.text')));
    main.dataset.ready = 'none';
    return;
  }
  if (page[0] !== name) {
    location.replace(href(page[0]));
    return;
  }
  const mine = (drawing += 1);
  // Until this draw ends the page is not ready (tests wait for `data-ready`).
  delete main.dataset.ready;
  document.title = `${t(`page.${name}`)} · ${t('brand')}`;
  main.replaceChildren(el('h1', {}, t(`page.${name}`)), el('p', { class: 'note', role: 'status' }, t('loading')));
  try {
    const view = await page[1].render(params, s);
    if (mine === drawing) main.replaceChildren(el('h1', {}, t(`page.${name}`)), ...[view].flat());
  } catch (e) {
    if (mine === drawing) failed(main, e);
  }
  if (mine === drawing) main.dataset.ready = name;
}

async function start() {
  relabel(document);
  document.getElementById('lang').addEventListener('click', () => {
    setLanguage(language() === 'zh' ? 'en' : 'zh');
    if (session()) draw();
  });
  document.getElementById('logout').addEventListener('click', async () => {
    await signOut();
    location.hash = '';
    location.reload();
  });
  window.addEventListener('hashchange', draw);
  if (!(await resume().catch(() => null))) await ask();
  await draw();
}

start();
