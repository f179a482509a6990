// Taking an action: the event it makes is signed in this browser and sent (api.write); the
// outcome is said in a status line, and the page is drawn again once the server stored it.

import * as api from './api.js';
import { t } from './i18n.js';

/**
 * Sends the event `[kind, body]` that `make()` builds (it may throw on a bad form); says in `out`
 * how it went (`done` names the action), and calls `redraw` when the server stored it. Resolves
 * to the ack (with the event's `id`), or null when nothing was stored.
 */
export async function send(make, done, out, redraw) {
  try {
    const [kind, body] = make();
    const ack = await api.write(kind, body);
    const refused = ack.status === 'rejected';
    out.textContent = refused ? t('act.refused') + (ack.message ?? ack.reason) : `${done}: ${t('act.done')}`;
    if (!refused && redraw) redraw();
    return refused ? null : ack;
  } catch (err) {
    out.textContent = t('error') + err.message;
    return null;
  }
}
