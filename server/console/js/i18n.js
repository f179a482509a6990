// The console's words in Chinese (the default) and English, and times in county time (UTC+8).
const WORDS = {
  zh: {
    skip: '跳到正文', brand: '动态巡查管理台', nav: '页面', logout: '退出登录',
    'signin.title': '登录', 'signin.user': '用户名', 'signin.password': '密码', 'signin.go': '登录',
    'signin.expired': '登录已过期，请重新登录。您填写的内容已保留。', 'signin.wrong': '用户名或密码错误',
    'signin.failed': '登录失败：', 'signin.nokey': '此浏览器不支持 Ed25519 签名，无法登录管理台。',
    'page.week': '本周', 'page.map': '地图', 'page.ledger': '巡查台帐', 'page.reconciliation': '对账',
    'page.cases': '案件/举报', 'page.flags': '预警核查', 'page.patrol': '巡查详情', 'page.none': '无可用页面',
    'none.text': '管理台供乡镇国土所和县矿产股使用。村级信息员请使用手机客户端。',
    week: '周次', township: '乡镇', village: '村', officer: '巡查信息员', zone: '责任片区', show: '查询',
    'week.townships': '各乡镇本周情况', 'week.officers': '巡查信息员', 'week.chart': '近12周有效巡查达标率(%)',
    'week.quota_met': '达标人数', officers: '人数', patrols: '巡查次数', patrols_counting: '有效巡查',
    quota: '定额', quota_met: '达标', zero_reports: '零报告(已交/应交)', report_rate: '报告率(%)', flags: '预警',
    findings: '发现问题', status: '状态', yes: '是', no: '否', under_quota: '未达标',
    device: '设备', user: '用户', last_sync: '最后同步', never: '从未',
    from: '从', to: '至', download_csv: '下载 CSV', download_xlsx: '下载 XLSX', prev: '上一页', next: '下一页',
    page_of: '第 {0} 页，共 {1} 页', rows: '{0} 条', open: '打开',
    'patrol.track': '轨迹', 'patrol.check': '核查说明', 'patrol.amendments': '更正记录', 'patrol.signature': '签名状态',
    'patrol.photos': '证据照片', 'patrol.findings': '发现问题与许可核查',
    'rec.under_quota': '未达标的信息员', 'rec.zero_missing': '缺零报告', 'rec.unsynced': '未同步设备',
    'rec.not_received': '未受理的发现', 'rec.tips': '未答复的举报', 'rec.overdue': '逾期案件', 'rec.evidence': '缺失的证据',
    'rec.empty': '无', late: '逾期',
    'cases.board': '案件看板', 'cases.tips': '举报', 'case.history': '办理记录', stage: '阶段', deadline: '期限',
    overdue: '已逾期', stopped: '已制止', conflict: '冲突', major: '重大督办', note: '说明', author: '操作人', time: '时间',
    'stage.received': '已受理', 'stage.verified': '已核实', 'stage.unfounded': '查无实据', 'stage.referred': '已移送县局',
    'stage.closed': '已结案', 'stage.conflict': '冲突',
    'act.open': '受理', 'act.verify': '核实属实', 'act.unfounded': '查无实据', 'act.stop': '制止', 'act.rectify': '责令整改',
    'act.joint': '联合执法', 'act.refer': '移送县局', 'act.major': '列为重大督办', 'act.close': '结案', 'act.resolve': '解决冲突',
    'act.receive_tip': '登记举报', 'act.assign': '交办', 'act.answer': '答复', 'act.review': '核查',
    'act.done': '已签名提交', 'act.refused': '未被接受：', outcome: '结果', departments: '联合部门', keep: '保留',
    channel: '来源', content: '内容', informant: '举报人', contact: '联系方式', brief: '交办事项', answer: '答复内容',
    'flags.open': '待核查预警', 'flags.kind': '类型', 'flags.subject': '对象', 'flags.explanation': '说明',
    'review.false_alarm': '误报', 'review.confirmed': '属实', 'review.verdict': '核查结论',
    'flags.history': '范围', 'flags.all': '全部（含已核查）', 'map.layers': '图层', 'map.zones': '责任片区',
    'map.licences': '矿业权', 'map.tracks': '巡查轨迹', 'map.findings': '发现问题', 'map.flags': '预警',
    'lic.in_force': '有效', 'lic.expired': '已失效（过期、注销或未生效）', 'lic.exploration': '探矿权', 'lic.protected': '保护性矿种',
    inside: '片区内', outside: '片区外', loading: '加载中…', error: '出错了：',
    'act.close_unfounded': '结案（查无实据）', 'act.open_case': '立案', 'note.required': '移送、督办、结案和解决冲突须写明理由（说明）。',
    'tip.new': '登记举报', 'tip.received_at': '举报时间', 'tip.assigned_to': '交办', 'tip.cases': '案件', 'tip.actions': '办理',
    'informant.name': '举报人姓名', 'required': '必填：',
    'channel.hotline': '举报电话', 'channel.report_box': '举报箱', 'channel.petition': '信访', 'channel.in_person': '当面举报',
    'outcome.rectified': '整改到位', 'outcome.penalised': '立案查处', 'outcome.transferred': '移送', 'outcome.other': '其他',
    'dept.work_safety': '安全生产监督管理局', 'dept.environment': '环境保护局', 'dept.police': '公安局',
    'dept.market_regulation': '市场监督管理局', 'dept.water': '水务局', 'dept.forestry': '林业局', 'dept.earthquake': '地震局',
    'patrol.original': '原始记录', 'patrol.event': '事件', 'amend.reason': '更正原因', 'amend.summary': '更正后摘要', 'amend.result': '更正后结果',
    'sig.valid': '签名有效', 'sig.invalid': '签名无效', 'sig.hash_mismatch': '哈希与内容不符', 'sig.no_key': '无该设备的公钥',
    'sig.how': '每个事件的哈希在本浏览器中按规范编码重算，签名用登记设备的公钥（Ed25519，WebCrypto）核验；服务器只提供数据。',
    'map.counts': '计入有效巡查', 'map.not_counted': '不计入有效巡查', 'week.villages': '各村本周情况', 'week.unsynced_n': '超过 {0} 天未同步的设备',
  },
  en: {
    skip: 'Skip to content', brand: 'Patrol console', nav: 'Pages', logout: 'Sign out',
    'signin.title': 'Sign in', 'signin.user': 'Username', 'signin.password': 'Password', 'signin.go': 'Sign in',
    'signin.expired': 'Your session has expired: sign in again. What you typed is kept.', 'signin.wrong': 'Wrong username or password',
    'signin.failed': 'Sign-in failed: ', 'signin.nokey': 'This browser cannot sign with Ed25519, so it cannot use the console.',
    'page.week': 'This week', 'page.map': 'Map', 'page.ledger': 'Patrol ledger', 'page.reconciliation': 'Reconciliation',
    'page.cases': 'Cases and tips', 'page.flags': 'Flags review', 'page.patrol': 'Patrol', 'page.none': 'No pages for you',
    'none.text': 'The console is for township land offices and the county mineral section. Village officers use the phone app.',
    week: 'Week', township: 'Township', village: 'Village', officer: 'Officer', zone: 'Zone', show: 'Show',
    'week.townships': 'Townships this week', 'week.officers': 'Officers', 'week.chart': 'Quota met, last 12 weeks (%)',
    'week.quota_met': 'quota met', officers: 'officers', patrols: 'patrols', patrols_counting: 'valid patrols',
    quota: 'quota', quota_met: 'quota met', zero_reports: 'zero reports (filed/needed)', report_rate: 'report rate (%)', flags: 'flags',
    findings: 'findings', status: 'status', yes: 'yes', no: 'no', under_quota: 'under quota',
    device: 'device', user: 'user', last_sync: 'last sync', never: 'never',
    from: 'From', to: 'To', download_csv: 'Download CSV', download_xlsx: 'Download XLSX', prev: 'Previous', next: 'Next',
    page_of: 'page {0} of {1}', rows: '{0} rows', open: 'Open',
    'patrol.track': 'Track', 'patrol.check': 'Check', 'patrol.amendments': 'Amendments', 'patrol.signature': 'Signature',
    'patrol.photos': 'Evidence photos', 'patrol.findings': 'Findings and licence checks',
    'rec.under_quota': 'Officers under quota', 'rec.zero_missing': 'Missing zero reports', 'rec.unsynced': 'Devices not synced',
    'rec.not_received': 'Findings not received', 'rec.tips': 'Tips unanswered', 'rec.overdue': 'Cases overdue', 'rec.evidence': 'Evidence missing',
    'rec.empty': 'none', late: 'late',
    'cases.board': 'Case board', 'cases.tips': 'Tips', 'case.history': 'History', stage: 'stage', deadline: 'deadline',
    overdue: 'overdue', stopped: 'stopped', conflict: 'conflict', major: 'major', note: 'note', author: 'by', time: 'time',
    'stage.received': 'received', 'stage.verified': 'verified', 'stage.unfounded': 'unfounded', 'stage.referred': 'referred',
    'stage.closed': 'closed', 'stage.conflict': 'conflict',
    'act.open': 'Open case', 'act.verify': 'Verify: confirmed', 'act.unfounded': 'Verify: unfounded', 'act.stop': 'Stop', 'act.rectify': 'Order to rectify',
    'act.joint': 'Joint action', 'act.refer': 'Refer to county', 'act.major': 'Mark major', 'act.close': 'Close', 'act.resolve': 'Resolve conflict',
    'act.receive_tip': 'Receive tip', 'act.assign': 'Assign', 'act.answer': 'Answer', 'act.review': 'Review',
    'act.done': 'signed and sent', 'act.refused': 'not accepted: ', outcome: 'outcome', departments: 'departments', keep: 'keep',
    channel: 'channel', content: 'content', informant: 'informant', contact: 'contact', brief: 'brief', answer: 'answer',
    'flags.open': 'Open flags', 'flags.kind': 'kind', 'flags.subject': 'subject', 'flags.explanation': 'explanation',
    'review.false_alarm': 'false alarm', 'review.confirmed': 'confirmed', 'review.verdict': 'verdict',
    'flags.history': 'list', 'flags.all': 'all (reviewed too)', 'map.layers': 'layers', 'map.zones': 'zones',
    'map.licences': 'licences', 'map.tracks': 'patrol tracks', 'map.findings': 'findings', 'map.flags': 'flags',
    'lic.in_force': 'in force', 'lic.expired': 'not in force (expired, cancelled, not yet valid)', 'lic.exploration': 'exploration', 'lic.protected': 'protected mineral',
    inside: 'inside', outside: 'outside', loading: 'Loading…', error: 'Error: ',
    'act.close_unfounded': 'Close as unfounded', 'act.open_case': 'Open a case', 'note.required': 'A referral, a major mark, a closure and a resolution need a reason (note).',
    'tip.new': 'Receive a tip', 'tip.received_at': 'received at', 'tip.assigned_to': 'assigned', 'tip.cases': 'cases', 'tip.actions': 'handle',
    'informant.name': 'informant name', 'required': 'required: ',
    'channel.hotline': 'hotline', 'channel.report_box': 'report box', 'channel.petition': 'petition', 'channel.in_person': 'in person',
    'outcome.rectified': 'rectified', 'outcome.penalised': 'penalised', 'outcome.transferred': 'transferred', 'outcome.other': 'other',
    'dept.work_safety': 'work safety', 'dept.environment': 'environment', 'dept.police': 'police',
    'dept.market_regulation': 'market regulation', 'dept.water': 'water', 'dept.forestry': 'forestry', 'dept.earthquake': 'earthquake',
    'patrol.original': 'original record', 'patrol.event': 'event', 'amend.reason': 'reason', 'amend.summary': 'summary now', 'amend.result': 'result now',
    'sig.valid': 'signature valid', 'sig.invalid': 'signature INVALID', 'sig.hash_mismatch': 'hash does not match the content', 'sig.no_key': 'no key for the device',
    'sig.how': 'Each event\'s hash is recomputed in this browser from its canonical encoding, and its signature checked with the enrolled device key (Ed25519, WebCrypto); the server only supplies the data.',
    'map.counts': 'counts toward the quota', 'map.not_counted': 'does not count', 'week.villages': 'Villages this week', 'week.unsynced_n': 'Devices not synced for more than {0} days',
  },
};

let lang = localStorage.getItem('patrolsync.lang') === 'en' ? 'en' : 'zh';

/** The current language, `zh` or `en`. */
export function language() { return lang; }

/** The word for `key`, with `{0}`, `{1}`… filled from `args`. */
export function t(key, ...args) {
  const word = WORDS[lang][key] ?? WORDS.zh[key] ?? key;
  return word.replace(/\{(\d)\}/g, (_, i) => String(args[Number(i)] ?? ''));
}

/** Switches the language, remembers it, and relabels the static page. */
export function setLanguage(next) {
  lang = next === 'en' ? 'en' : 'zh';
  localStorage.setItem('patrolsync.lang', lang);
  relabel(document);
}

/** Fills every `data-t` element's text and `data-t-label` element's label in `root`. */
export function relabel(root) {
  document.documentElement.lang = lang === 'en' ? 'en' : 'zh-CN';
  root.querySelectorAll('[data-t]').forEach((el) => { el.textContent = t(el.dataset.t); });
  root.querySelectorAll('[data-t-label]').forEach((el) => el.setAttribute('aria-label', t(el.dataset.tLabel)));
}

const COUNTY = new Intl.DateTimeFormat('sv-SE', {
  timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false,
});

/** `ms` (Unix milliseconds) as county time, `YYYY-MM-DD HH:MM`. */
export function countyTime(ms) {
  return ms == null ? '' : COUNTY.format(new Date(ms));
}

/** The county date (`YYYY-MM-DD`) of `ms`. */
export function countyDate(ms) {
  return countyTime(ms).slice(0, 10);
}

/** The ISO week (`2026-W48`) of `ms` in county time. */
export function isoWeek(ms) {
  const d = new Date(countyDate(ms) + 'T00:00:00Z');
  const day = (d.getUTCDay() + 6) % 7;
  d.setUTCDate(d.getUTCDate() - day + 3);
  const year = d.getUTCFullYear();
  const first = new Date(Date.UTC(year, 0, 4));
  const week = 1 + Math.round(((d - first) / 86400000 - 3 + ((first.getUTCDay() + 6) % 7)) / 7);
  return `${year}-W${String(week).padStart(2, '0')}`;
}

/** The Monday and Sunday (county dates) of ISO week `week`. */
export function weekDates(week) {
  const [y, w] = week.split('-W').map(Number);
  const jan4 = new Date(Date.UTC(y, 0, 4));
  const monday = new Date(jan4.getTime() - ((jan4.getUTCDay() + 6) % 7) * 86400000 + (w - 1) * 7 * 86400000);
  const sunday = new Date(monday.getTime() + 6 * 86400000);
  return [monday.toISOString().slice(0, 10), sunday.toISOString().slice(0, 10)];
}

/** The ISO week `n` weeks before `week`. */
export function weekBefore(week, n) {
  const [monday] = weekDates(week);
  return isoWeek(Date.parse(monday + 'T12:00:00+08:00') - n * 7 * 86400000);
}
