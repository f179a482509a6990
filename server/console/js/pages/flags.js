// Flags (预警): the open flags in the caller's scope (GET /v1/flags), each linking to its patrol.

import * as api from '../api.js';
import { t, countyTime } from '../i18n.js';
import { el, table, section } from '../ui.js';
import { href } from '../main.js';

export async function render(params) {
  const list = await api.get('/v1/flags', { township: params.township, week: params.week });
  const cols = [['raised', t('time')], ['kind', t('flags.kind')], ['officer', t('officer')], ['village', t('village')],
    ['detail', t('flags.explanation')], ['event', t('flags.subject')]];
  return section(t('flags.open'), table(t('flags.open'), cols, list.flags, (f, k) => ({
    raised: countyTime(f.raised_at), kind: f.kind, officer: f.officer ?? '', village: f.village ?? '', detail: f.detail,
    event: f.event ? el('a', { href: href('patrol', { id: f.event }) }, f.event.slice(-12)) : '',
  })[k]));
}
