// The Errand console's pages: each reads the console's JSON API and redraws itself while it is open.
'use strict';

const state = { info: null, page: null, timers: [], queueTotal: null, selected: new Set(), plan: null, runPolling: null,
  search: { params: new URLSearchParams(), page: 1, next: null }, jobId: null, job: null, targetAction: null };

async function api(path, body) {
  const options = { headers: { 'X-Errand-Console': '1' }, credentials: 'same-origin' };
  if (body !== undefined) {
    options.method = 'POST';
    options.headers['Content-Type'] = 'application/json';
    options.body = JSON.stringify(body);
  }
  const response = await fetch(path, options);
  const answer = await response.json().catch(() => ({}));
  if (!response.ok) {
    const error = new Error(answer.detail || answer.title || ('HTTP ' + response.status));
    error.status = response.status;
    throw error;
  }
  return answer;
}

const $ = (selector) => document.querySelector(selector);

function el(tag, attributes, ...children) {
  const node = document.createElement(tag);
  Object.entries(attributes || {}).forEach(([name, value]) => {
    if (value === null || value === undefined || value === false) return;
    if (name === 'text') node.textContent = value; else node.setAttribute(name, value === true ? '' : value);
  });
  children.flat().forEach((child) => node.append(child instanceof Node ? child : document.createTextNode(String(child))));
  return node;
}

function showError(error) {
  const box = $('#error');
  if (!error) { box.hidden = true; return; }
  box.textContent = error.message || String(error);
  box.hidden = false;
}

function age(seconds) {
  if (seconds === null || seconds === undefined) return '-';
  if (seconds < 120) return seconds + 's';
  if (seconds < 7200) return Math.round(seconds / 60) + 'm';
  if (seconds < 172800) return Math.round(seconds / 3600) + 'h';
  return Math.round(seconds / 86400) + 'd';
}

function ms(value) {
  return value === null || value === undefined ? '-' : Math.round(value) + ' ms';
}

function latency(l, percentiles) {
  if (percentiles && l.p50 !== null) return 'p50 ' + ms(l.p50) + ' / p99 ' + ms(l.p99);
  if (l.average === null) return '-';
  return 'avg ' + ms(l.average) + ' / max ' + ms(l.maximum);
}

function stateOf(target) {
  return target.state ? target.state.state : 'per invocation';
}

function every(seconds, task) {
  task();
  state.timers.push(setInterval(task, seconds * 1000));
}

function stamp() {
  $('#updated').textContent = 'updated ' + new Date().toLocaleTimeString();
}

// ---------------------------------------------------------------- overview

function drawQueues(q) {
  $('#queue-jobs-visible').textContent = q.jobs.visible;
  $('#queue-jobs-inflight').textContent = q.jobs.inFlight;
  $('#queue-jobs-delayed').textContent = q.jobs.delayed;
  $('#queue-oldest').textContent = q.oldestJobSeconds === null ? 'not known' : age(q.oldestJobSeconds);
  $('#queue-oldest-note').textContent = 'Oldest: ' + q.oldestNote + '.';
  $('#queue-dlq-visible').textContent = q.deadLetters.visible;
  $('#queue-dlq-inflight').textContent = q.deadLetters.inFlight;
}

function metricsNote(answer) {
  const m = answer.metrics;
  const d = answer.document;
  const parts = ['Figures from CloudWatch (namespace Errand) at ' + new Date(m.at).toLocaleTimeString()
    + ', read at most every ' + state.info.refresh.metricsSeconds + ' s.'];
  if (!m.percentiles) parts.push('This CloudWatch computes no percentiles (moto, locally): average and maximum instead.');
  if (m.problem) parts.push(m.problem);
  parts.push('Targets from the ' + d.source + (d.problems.length ? ': ' + d.problems.join('; ') : '') + '.');
  return parts.join(' ');
}

function drawOverviewTargets(answer) {
  const body = $('#overview-targets tbody');
  body.replaceChildren(...answer.targets.map((t) => el('tr', { 'data-target': t.name },
    el('td', {}, t.name, t.configured ? '' : el('span', { class: 'note', text: ' (not configured)' })),
    el('td', { class: 'health health-' + t.health, text: t.health }),
    el('td', { class: 'state', text: stateOf(t) }),
    el('td', { class: 'num delivered', text: t.delivered }),
    el('td', { class: 'num retried', text: t.retried }),
    el('td', { class: 'num dead-lettered', text: t.deadLettered }),
    el('td', { class: 'num deferred', text: t.deferred }),
    el('td', { class: 'latency', text: latency(t.latency, answer.metrics.percentiles) }))));
  $('#metrics-note').textContent = metricsNote(answer);
}

function overview() {
  every(state.info.refresh.queuesSeconds, async () => {
    try {
      const answer = await api('/api/overview');
      drawQueues(answer.queues);
      drawOverviewTargets(answer);
      stamp();
      showError(null);
    } catch (e) { showError(e); }
  });
}

// ---------------------------------------------------------------- dead letters

function drawGroups(answer) {
  const q = answer.queue;
  $('#dlq-count').textContent = answer.shown + ' shown; SQS counts about ' + q.visible + ' in the queue'
    + (q.inFlight ? ' and ' + q.inFlight + ' in flight (held by a reader: a redrive, another console, dlq list)' : '');
  const groups = answer.groups.map((g) => {
    const pickAll = el('input', { type: 'checkbox', class: 'pick-group', title: 'select this group' });
    const rows = g.letters.map((l) => {
      const pick = el('input', { type: 'checkbox', class: 'pick', disabled: !l.jobId, 'data-job': l.jobId });
      if (l.jobId && state.selected.has(l.jobId)) pick.checked = true;
      pick.addEventListener('change', () => { pick.checked ? state.selected.add(l.jobId) : state.selected.delete(l.jobId); pickable(); });
      return el('tr', { 'data-job': l.jobId || '', 'data-message': l.messageId },
        el('td', {}, pick),
        el('td', { class: 'job' }, l.jobId ? el('a', { href: '#jobs/' + l.jobId, text: l.jobId }) : 'message ' + l.messageId),
        el('td', { class: 'num', text: l.attempts }),
        el('td', { class: 'num', text: age(l.ageSeconds) }),
        el('td', { class: 'reason', text: l.reason }));
    });
    pickAll.addEventListener('change', () => {
      g.letters.filter((l) => l.jobId).forEach((l) => pickAll.checked ? state.selected.add(l.jobId) : state.selected.delete(l.jobId));
      drawGroups(answer);
    });
    return el('div', { class: 'group', 'data-target': g.target, 'data-reason': g.reason },
      el('h3', {}, pickAll, el('span', { class: 'reason', text: g.reason }), el('span', { text: 'target ' + g.target }),
        el('span', { class: 'count', text: g.count + (g.count === 1 ? ' dead letter' : ' dead letters') })),
      el('table', { class: 'letters' }, el('thead', {}, el('tr', {}, el('th', { class: 'pick' }), el('th', { class: 'job', text: 'job' }),
        el('th', { class: 'attempts', text: 'attempts' }), el('th', { class: 'age', text: 'in DLQ' }), el('th', { text: 'reason' }))),
        el('tbody', {}, rows)));
  });
  $('#groups').replaceChildren(...(groups.length ? groups : [el('p', { class: 'note', text: 'No dead letter is visible.' })]));
  pickable();
}

function pickable() {
  $('#dry-run-selected').disabled = state.selected.size === 0;
  $('#dry-run-selected').textContent = 'Dry run: ' + state.selected.size + ' selected';
}

async function loadDeadLetters() {
  try {
    const answer = await api('/api/dead-letters');
    state.queueTotal = answer.queue.visible + answer.queue.inFlight;
    drawGroups(answer);
    stamp();
    showError(null);
  } catch (e) { showError(e); }
}

function lineRow(l) {
  return el('tr', {}, el('td', { text: l.verdict }), el('td', { class: 'job', text: l.who }), el('td', { text: l.target }),
    el('td', { class: 'reason', text: l.detail }));
}

function counted(counts) {
  const parts = Object.entries(counts).map(([verdict, n]) => n + ' ' + verdict);
  return parts.length ? parts.join(', ') : 'nothing';
}

async function dryRun(all) {
  const rate = $('#rate').value ? Number($('#rate').value) : null;
  const order = all ? { all: true, rate } : { jobIds: [...state.selected], rate };
  $('#plan').hidden = false;
  $('#plan-summary').textContent = 'Reading the dead letters (this holds them for a moment)...';
  $('#plan-lines').replaceChildren();
  $('#confirm-redrive').disabled = true;
  try {
    const plan = await api('/api/redrive/plan', order);
    state.plan = plan;
    const would = plan.counts['would redrive'] || 0;
    $('#plan-summary').textContent = 'Would do: ' + counted(plan.counts) + '.'
      + (plan.notFound.length ? ' No dead letter for ' + plan.notFound.join(', ') + '.' : '')
      + (plan.order.rate ? ' At most ' + plan.order.rate + ' a second.' : ' As fast as SQS takes them.')
      + ' Nothing has changed yet.';
    $('#plan-lines').replaceChildren(...plan.lines.map(lineRow));
    $('#confirm-redrive').textContent = 'Redrive ' + would + (would === 1 ? ' dead letter' : ' dead letters') + ' now';
    $('#confirm-redrive').disabled = would === 0;
    showError(null);
  } catch (e) { $('#plan').hidden = true; showError(e); }
}

async function confirmRedrive() {
  if (!state.plan) return;
  $('#confirm-redrive').disabled = true;
  try {
    const answer = await api('/api/redrive/start', { planId: state.plan.planId, confirm: true });
    state.plan = null;
    $('#plan').hidden = true;
    drawRun(answer.run);
    watchRun();
  } catch (e) { showError(e); }
}

function drawRun(run) {
  if (!run || !run.runId) { $('#run').hidden = true; return; }
  $('#run').hidden = false;
  $('#run-state').textContent = run.done ? (run.stopped ? 'stopped' : 'done') : 'running';
  $('#run-summary').textContent = (run.done ? 'Did: ' : 'So far: ') + counted(run.counts) + '.'
    + (run.failure ? ' It failed: ' + run.failure : '')
    + (run.stopped ? ' Stopped at a safe point: run it again to go on.' : '')
    + (run.notFound.length ? ' No dead letter for ' + run.notFound.join(', ') + '.' : '');
  $('#run-lines').replaceChildren(...run.lines.map(lineRow));
}

function watchRun() {
  if (state.runPolling) return;
  state.runPolling = setInterval(async () => {
    try {
      const answer = await api('/api/redrive/current');
      drawRun(answer.run);
      if (!answer.run.runId || answer.run.done) {
        clearInterval(state.runPolling);
        state.runPolling = null;
        state.selected.clear();
        loadDeadLetters();
      }
    } catch (e) { showError(e); }
  }, 1000);
}

function deadLetters() {
  loadDeadLetters();
  api('/api/redrive/current').then((answer) => { drawRun(answer.run); if (answer.run.runId && !answer.run.done) watchRun(); });
  // the listing holds dead letters for a moment, so it is read again only when the queue's count moves
  state.timers.push(setInterval(async () => {
    try {
      const q = await api('/api/queues');
      const total = q.deadLetters.visible + q.deadLetters.inFlight;
      if (total !== state.queueTotal && !state.runPolling) loadDeadLetters();
    } catch (e) { showError(e); }
  }, state.info.refresh.queuesSeconds * 1000));
}

// ---------------------------------------------------------------- jobs

/** What the record says of the calls made: it keeps their count and the last answer, not each call. */
function attemptsOf(r) {
  const n = r.attempts || 0;
  const parts = [n === 0 ? 'No call made yet' : n + (n === 1 ? ' call made' : ' calls made')];
  if (r.lastStatusCode !== undefined) parts.push('the last answered HTTP ' + r.lastStatusCode);
  if (r.lastError) parts.push('last error: ' + r.lastError);
  if (r.nextAttemptAt) parts.push('the next call is due at ' + r.nextAttemptAt);
  else if (r.status === 'scheduled' && r.runAt) parts.push('the first call is due at ' + r.runAt);
  return parts.join('; ') + '. The record keeps the count and the last answer, not each call.';
}

function drawJob(id, answer) {
  $('#job-title').textContent = id;
  const record = $('#job-record');
  $('#job-actions').hidden = !answer.found;
  if (!answer.found) {
    state.job = null;
    record.replaceChildren();
    $('#job-attempts').textContent = '';
    $('#job-note').textContent = answer.detail;
    return;
  }
  state.job = answer.record;
  $('#job-note').textContent = '';
  const first = ['jobId', 'status', 'target', 'method', 'path', 'runAt', 'attempts', 'lastStatusCode', 'lastError', 'createdAt', 'updatedAt'];
  const order = (k) => (first.indexOf(k) + 1) || first.length + 1;
  const fields = Object.entries(answer.record).filter(([k]) => k !== 'links').sort(([a], [b]) => order(a) - order(b));
  record.replaceChildren(...fields.flatMap(([k, v]) => [
    el('dt', { text: k }),
    el('dd', { 'data-field': k, class: k === 'status' ? 'status-' + v : null, text: typeof v === 'object' ? JSON.stringify(v) : v })]));
  $('#job-attempts').textContent = attemptsOf(answer.record);
}

async function loadJob(id) {
  try {
    drawJob(id, await api('/api/jobs/' + encodeURIComponent(id)));
    stamp();
    showError(null);
  } catch (e) { showError(e); }
}

function jobs(id) {
  const caps = state.info.capabilities;
  ['#search-status', '#search-target', '#search-since', '#search-until', '#search-limit', '#search-jobs']
    .forEach((s) => { $(s).disabled = !caps.jobSearch; });
  $('#search-unavailable').textContent = caps.jobSearch ? '' : state.info.unavailable.jobSearch;
  $('#cancel-job').disabled = !caps.jobCancel;
  $('#cancel-unavailable').textContent = caps.jobCancel ? '' : state.info.unavailable.jobCancel;
  $('#job').hidden = !id;
  $('#search-view').hidden = !!id;
  if (!id) return;
  if (id !== state.jobId) {
    // another job: what was asked or answered about the last one does not apply
    $('#cancel-confirm').hidden = true;
    $('#cancel-answer').hidden = true;
    $('#job-record').replaceChildren();
    $('#job-attempts').textContent = '';
  }
  state.jobId = id;
  $('#job-id').value = id;
  every(state.info.refresh.queuesSeconds, () => loadJob(id));
}

function searchParams() {
  const params = new URLSearchParams();
  const put = (name, value) => { if (value) params.set(name, value); };
  put('status', $('#search-status').value);
  put('target', $('#search-target').value.trim());
  put('since', $('#search-since').value && new Date($('#search-since').value).toISOString());
  put('until', $('#search-until').value && new Date($('#search-until').value).toISOString());
  put('limit', $('#search-limit').value);
  return params;
}

/** One page of the search in hand: the first, or the one after the page that answered {@code cursor}. */
async function searchJobs(cursor) {
  const params = new URLSearchParams(state.search.params);
  if (cursor) params.set('cursor', cursor);
  try {
    const page = await api('/api/jobs?' + params);
    state.search.page = cursor ? state.search.page + 1 : 1;
    state.search.next = page.cursor;
    $('#search-results').hidden = page.jobs.length === 0;
    $('#search-results tbody').replaceChildren(...page.jobs.map((j) => el('tr', { 'data-job': j.jobId },
      el('td', { class: 'job' }, el('a', { href: '#jobs/' + j.jobId, text: j.jobId })),
      el('td', { class: 'status status-' + j.status, text: j.status }), el('td', { class: 'target', text: j.target }),
      el('td', { class: 'num', text: j.attempts }), el('td', { class: 'num', text: j.lastStatusCode ?? '-' }),
      el('td', { text: j.runAt || '-' }), el('td', { text: j.updatedAt }))));
    $('#search-summary').textContent = (page.jobs.length === 0 && state.search.page === 1 ? 'No job matches.'
      : 'Page ' + state.search.page + ': ' + page.jobs.length + (page.jobs.length === 1 ? ' job' : ' jobs') + '.')
      + (page.cursor ? ' More match: Next page.' : (state.search.page > 1 ? ' The last page.' : ''));
    $('#search-next').hidden = !page.cursor;
    $('#search-first').hidden = state.search.page === 1;
    showError(null);
  } catch (e) { showError(e); }
}

function askCancel() {
  const job = state.job;
  if (!job) return;
  $('#cancel-answer').hidden = true;
  $('#cancel-question').textContent = 'Cancel job ' + job.jobId + ' (' + job.status + ', target ' + job.target + ')? Once cancelled it is'
    + ' never called; a call already in flight may still reach the provider. Nothing changes until you confirm.';
  $('#cancel-confirm').hidden = false;
}

async function confirmCancel() {
  const id = state.jobId;
  $('#cancel-confirm').hidden = true;
  const answer = $('#cancel-answer');
  try {
    const done = await api('/api/jobs/' + encodeURIComponent(id) + '/cancel', { confirm: true });
    answer.dataset.outcome = 'cancelled';
    answer.textContent = 'Cancelled: ' + done.detail.replace(/^cancelled: /, '') + '.';
  } catch (e) {
    if (e.status !== 409 && e.status !== 501) { showError(e); return; }
    answer.dataset.outcome = e.status === 409 ? 'refused' : 'unavailable';
    answer.textContent = e.message.charAt(0).toUpperCase() + e.message.slice(1) + '.';
  }
  answer.hidden = false;
  loadJob(id);
}

// ---------------------------------------------------------------- targets

function targets() {
  const control = state.info.capabilities.targetControl;
  $('#control-unavailable').textContent = control ? '' : 'Pause and resume: ' + state.info.unavailable.targetControl + '.';
  every(state.info.refresh.queuesSeconds, async () => {
    try {
      const answer = await api('/api/targets');
      $('#targets-table tbody').replaceChildren(...answer.targets.map((t) => {
        const c = t.config || {};
        const paused = t.state && t.state.state === 'paused';
        const button = el('button', { class: 'quiet target-action', disabled: !control || !t.configured, 'data-target': t.name,
          text: paused ? 'Resume' : 'Pause' });
        button.addEventListener('click', () => askTargetAction(t.name, paused ? 'resume' : 'pause'));
        return el('tr', { 'data-target': t.name },
          el('td', {}, t.name), el('td', { class: 'mono', text: c.baseUrl || '-' }), el('td', { text: c.auth || '-' }),
          el('td', { class: 'num', text: c.timeoutMs ? c.timeoutMs + ' ms' : '-' }), el('td', { class: 'num', text: c.maxConcurrency || '-' }),
          el('td', { class: 'num', text: c.breakerThreshold || '-' }), el('td', { class: 'rate', text: rateOf(c) }),
          el('td', { class: 'health health-' + t.health, text: t.health }),
          el('td', { class: 'state state-' + stateOf(t).replace(/ /g, '-'), title: stateDetails(t) }, stateOf(t),
            el('div', { class: 'note state-why', text: stateWhy(t) })),
          el('td', { class: 'num delivered', text: t.delivered }),
          el('td', { class: 'num retried', text: t.retried }), el('td', { class: 'num dead-lettered', text: t.deadLettered }),
          el('td', { class: 'num deferred', text: t.deferred }), el('td', { class: 'latency', text: latency(t.latency, answer.metrics.percentiles) }),
          el('td', {}, button));
      }));
      $('#targets-note').textContent = metricsNote(answer) + ' Health is the last hour in a word: healthy (no call failed in a'
        + ' retryable way), failing (calls failed so and none was delivered), degraded (both), idle (no calls). Jobs refused for good'
        + ' (a 4xx) count as dead-lettered, not against the provider. The state is the fleet-wide one: closed, open, half-open'
        + ' (being probed), held (the provider asked to wait) or paused.';
      stamp();
      showError(null);
    } catch (e) { showError(e); }
  });
}

function rateOf(config) {
  return config.rate ? config.rate.perSecond + '/s, burst ' + config.rate.burst : 'none';
}

/** Why a target takes no calls now, in a line: the pause and who made it, the provider's hold, the breaker's next probe. */
function stateWhy(t) {
  const d = (t.state && t.state.details) || {};
  if (d['paused by']) return 'by ' + d['paused by'] + ', until ' + d['paused until'] + (d['pause reason'] !== '-' ? ': ' + d['pause reason'] : '');
  if (d['held until']) return 'until ' + d['held until'] + ': ' + d['hold reason'];
  if (d['next probe']) return 'next probe ' + d['next probe'];
  return '';
}

function stateDetails(t) {
  return t.state ? Object.entries(t.state.details).map(([k, v]) => k + ': ' + v).join('\n') : 'no fleet-wide state: per invocation';
}

/** Nothing changes until the operator confirms, as with a redrive. */
function askTargetAction(name, verb) {
  state.targetAction = { name, verb };
  $('#target-confirm').hidden = false;
  $('#target-pause-fields').hidden = verb !== 'pause';
  $('#target-confirm-title').textContent = (verb === 'pause' ? 'Pause ' : 'Resume ') + name;
  $('#target-confirm-summary').textContent = verb === 'pause'
    ? 'No call is made to ' + name + ' anywhere in the fleet from a second or two after you confirm. Its jobs wait without using'
      + ' attempts; a job put off longer than MaxDeferralSeconds goes to the dead-letter queue.'
    : 'Calls to ' + name + ' start again within a second or two; the jobs that waited come back as each is next looked at, within'
      + ' its rate limit.';
  $('#confirm-target-action').textContent = (verb === 'pause' ? 'Pause ' : 'Resume ') + name + ' now';
  $('#confirm-target-action').disabled = false;
}

async function confirmTargetAction() {
  const action = state.targetAction;
  if (!action) return;
  const body = { confirm: true };
  if (action.verb === 'pause') {
    if ($('#pause-reason').value.trim()) body.reason = $('#pause-reason').value.trim();
    if ($('#pause-minutes').value) body.minutes = Number($('#pause-minutes').value);
  }
  $('#confirm-target-action').disabled = true;
  try {
    const answer = await api('/api/targets/' + encodeURIComponent(action.name) + '/' + action.verb, body);
    $('#target-confirm').hidden = true;
    $('#targets-done').textContent = answer.detail;
    state.targetAction = null;
    route();
  } catch (e) {
    $('#confirm-target-action').disabled = false;
    showError(e);
  }
}

// ---------------------------------------------------------------- pages

const pages = { 'overview': overview, 'dead-letters': deadLetters, 'jobs': jobs, 'targets': targets };

function route() {
  state.timers.forEach(clearInterval);
  state.timers = [];
  const [name, ...rest] = (location.hash.replace(/^#/, '') || 'overview').split('/');
  const page = pages[name] ? name : 'overview';
  document.querySelectorAll('.page').forEach((p) => { p.hidden = p.id !== 'page-' + page; });
  document.querySelectorAll('nav a').forEach((a) => a.classList.toggle('active', a.dataset.page === page));
  showError(null);
  pages[page](rest.join('/') ? decodeURIComponent(rest.join('/')) : undefined);
}

async function start() {
  try {
    state.info = await api('/api/info');
  } catch (e) { showError(e); return; }
  $('#where').textContent = state.info.where;
  $('#dry-run-selected').addEventListener('click', () => dryRun(false));
  $('#dry-run-all').addEventListener('click', () => dryRun(true));
  $('#refresh-dead-letters').addEventListener('click', loadDeadLetters);
  $('#confirm-redrive').addEventListener('click', confirmRedrive);
  $('#cancel-plan').addEventListener('click', () => { state.plan = null; $('#plan').hidden = true; });
  $('#find-job-form').addEventListener('submit', (event) => { event.preventDefault(); location.hash = '#jobs/' + $('#job-id').value.trim(); });
  $('#search-form').addEventListener('submit', (event) => {
    event.preventDefault();
    state.search = { params: searchParams(), page: 1, next: null };
    searchJobs();
  });
  $('#search-next').addEventListener('click', () => searchJobs(state.search.next));
  $('#search-first').addEventListener('click', () => searchJobs());
  $('#cancel-job').addEventListener('click', askCancel);
  $('#confirm-cancel').addEventListener('click', confirmCancel);
  $('#keep-job').addEventListener('click', () => { $('#cancel-confirm').hidden = true; });
  $('#confirm-target-action').addEventListener('click', confirmTargetAction);
  $('#cancel-target-action').addEventListener('click', () => { state.targetAction = null; $('#target-confirm').hidden = true; });
  window.addEventListener('hashchange', route);
  route();
}

start();
