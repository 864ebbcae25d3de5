// The operator console in a real browser: Debian's headless Chromium driven by playwright-core.
// Run by ConsoleBrowserTest, which starts the local runtime and `errand console`, and passes:
//   CONSOLE_URL  the link the console printed (with its token)     SCENARIO  redrive | guard | jobs | target-control
//   JOB_ID       a job that failed and is now in the dead letters  SCREENSHOTS  where to keep screenshots
//   CHROMIUM     the browser (default /usr/bin/chromium)           TARGET    the target's name
// for SCENARIO=jobs: LATER_JOBS (three jobs due later, oldest first), DONE_JOB (one that succeeded), SINCE (an
// RFC 3339 time before both were submitted) and API_URL (the jobs API, to check what the page did);
// for SCENARIO=target-control: PAUSE_REASON, pause with this reason (else resume).
// Exits 0 when every step passed; else prints the failed step and keeps a screenshot of the moment.
import { chromium } from 'playwright-core';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import http from 'node:http';

const env = (name, fallback) => {
  const value = process.env[name] ?? fallback;
  if (value === undefined) throw new Error(name + ' is not set');
  return value;
};
const consoleUrl = new URL(env('CONSOLE_URL'));
const origin = consoleUrl.origin;
const token = consoleUrl.searchParams.get('token');
const scenario = env('SCENARIO');
const screenshots = env('SCREENSHOTS');
const WAIT = 30_000;
/** A name that resolves to 127.0.0.1 in this browser only: a DNS-rebinding page would be served under such a name. */
const REBOUND = 'console.rebinding.test';

mkdirSync(screenshots, { recursive: true });
const profile = mkdtempSync(join(tmpdir(), 'errand-chromium-'));
const browser = await chromium.launchPersistentContext(profile, {
  executablePath: env('CHROMIUM', '/usr/bin/chromium'),
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
    `--host-resolver-rules=MAP ${REBOUND} 127.0.0.1`],
  viewport: { width: 1360, height: 900 },
});
let page = browser.pages()[0] ?? await browser.newPage();
const errors = [];
page.on('pageerror', (e) => errors.push(e.message));

let current = 'start';
function step(name) {
  current = name;
  console.log('step: ' + name);
}

function check(condition, message) {
  if (!condition) throw new Error(message);
}

async function shot(name) {
  await page.screenshot({ path: join(screenshots, name + '.png'), fullPage: true });
}

/** A plain HTTP request with exactly these headers, as no browser would send it. */
function raw(method, path, headers, body) {
  return new Promise((resolve, reject) => {
    const request = http.request({ host: consoleUrl.hostname, port: consoleUrl.port, method, path, headers }, (response) => {
      let text = '';
      response.on('data', (chunk) => { text += chunk; });
      response.on('end', () => resolve({ status: response.statusCode, headers: response.headers, text }));
    });
    request.on('error', reject);
    if (body) request.write(body);
    request.end();
  });
}

async function redrive() {
  const job = env('JOB_ID');
  const target = env('TARGET');

  step('the link with the token opens the overview, and the token leaves the address bar');
  await page.goto(consoleUrl.href);
  await page.waitForSelector(`#overview-targets tr[data-target="${target}"]`, { timeout: WAIT });
  check(!page.url().includes('token='), 'the token stays in the address bar: ' + page.url());
  await page.waitForFunction(() => document.querySelector('#queue-dlq-visible').textContent.trim() !== '-', null, { timeout: WAIT });
  check(Number(await page.textContent('#queue-dlq-visible')) >= 1, 'the dead-letter queue shows no dead letter');
  await shot('overview');

  step('the failed job is among the dead letters, grouped under its reason and target');
  await page.click('nav a[data-page="dead-letters"]');
  const row = page.locator(`#groups tr[data-job="${job}"]`);
  await row.waitFor({ timeout: WAIT });
  const group = page.locator('#groups .group').filter({ has: page.locator(`tr[data-job="${job}"]`) });
  check(await group.getAttribute('data-target') === target, 'the group is not the target ' + target);
  const reason = await group.getAttribute('data-reason');
  check(reason === 'gave up after 2 attempts; last: HTTP 503', 'the group reason is ' + reason);
  check((await row.locator('td.reason').textContent()).startsWith('gave up after 2 attempts; last: HTTP 503'), 'the row has no reason');
  await shot('dead-letters');

  step('a dry run of the selected job says what would happen and changes nothing');
  await row.locator('input.pick').check();
  await page.fill('#rate', '5');
  await page.click('#dry-run-selected');
  await page.waitForFunction(() => document.querySelector('#plan-summary').textContent.startsWith('Would do'), null, { timeout: WAIT });
  const summary = await page.textContent('#plan-summary');
  check(summary.includes('1 would redrive') && summary.includes('At most 5 a second') && summary.includes('Nothing has changed yet'),
    'the dry run says: ' + summary);
  check(await page.textContent('#confirm-redrive') === 'Redrive 1 dead letter now', 'the confirm button says: ' + await page.textContent('#confirm-redrive'));
  await row.waitFor({ timeout: WAIT });
  await shot('dry-run');

  step('confirmed, the redrive runs and the dead letter is gone');
  await page.click('#confirm-redrive');
  await page.waitForFunction(() => document.querySelector('#run-state').textContent === 'done', null, { timeout: WAIT });
  const did = await page.textContent('#run-summary');
  check(did.includes('1 redriven'), 'the run says: ' + did);
  await page.locator(`#groups tr[data-job="${job}"]`).waitFor({ state: 'detached', timeout: WAIT });
  await shot('redriven');

  step('the job page shows it succeeded');
  await page.click('nav a[data-page="jobs"]');
  await page.fill('#job-id', job);
  await page.click('#find-job');
  await page.waitForFunction(() => document.querySelector('#job-record dd[data-field="status"]')?.textContent === 'succeeded', null,
    { timeout: WAIT });
  check(await page.textContent('#job-record dd[data-field="attempts"]') === '1', 'the redriven job took more than one attempt');
  check(!(await page.isDisabled('#search-jobs')) && !(await page.isDisabled('#cancel-job')),
    'job search or cancel is not offered though the API and job records are there');
  await shot('job');

  step('the targets page shows the target, its figures, and pause offered');
  await page.click('nav a[data-page="targets"]');
  const targetRow = page.locator(`#targets-table tr[data-target="${target}"]`);
  await targetRow.waitFor({ timeout: WAIT });
  await page.waitForFunction((name) => Number(document.querySelector(`#targets-table tr[data-target="${name}"] td.delivered`)?.textContent) >= 1,
    target, { timeout: WAIT });
  check(!(await targetRow.locator('button.target-action').isDisabled()) && await targetRow.locator('button.target-action').textContent() === 'Pause',
    'pause is not offered though the target state table is there');
  await shot('targets');

  step('the overview shows the delivery in the last hour');
  await page.click('nav a[data-page="overview"]');
  await page.waitForFunction((name) => Number(document.querySelector(`#overview-targets tr[data-target="${name}"] td.delivered`)?.textContent) >= 1,
    target, { timeout: WAIT });
  await shot('overview-after');
}

/** The job's record as the API has it, not as the page shows it. */
async function record(id) {
  const answer = await fetch(env('API_URL') + '/jobs/' + id);
  check(answer.status === 200, 'GET /jobs/' + id + ' answered ' + answer.status);
  return answer.json();
}

/** An RFC 3339 time as a datetime-local input takes it, in this machine's zone (the browser's too). */
function localMinute(iso) {
  const t = new Date(iso);
  const two = (n) => String(n).padStart(2, '0');
  return `${t.getFullYear()}-${two(t.getMonth() + 1)}-${two(t.getDate())}T${two(t.getHours())}:${two(t.getMinutes())}`;
}

async function search(status, target, limit, since) {
  await page.selectOption('#search-status', status);
  await page.fill('#search-target', target);
  await page.fill('#search-limit', String(limit));
  await page.fill('#search-since', since ? localMinute(since) : '');
  const answered = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/jobs', { timeout: WAIT });
  await page.click('#search-jobs');
  check((await answered).status() === 200, 'the search was refused');
}

async function rows() {
  return page.$$eval('#search-results tbody tr', (trs) => trs.map((tr) => ({
    job: tr.dataset.job, status: tr.querySelector('td.status').textContent, target: tr.querySelector('td.target').textContent })));
}

async function cancelFromThePage() {
  await page.click('#cancel-job');
  await page.locator('#cancel-confirm').waitFor({ state: 'visible', timeout: WAIT });
  await page.click('#confirm-cancel');
  await page.locator('#cancel-answer').waitFor({ state: 'visible', timeout: WAIT });
  return { outcome: await page.getAttribute('#cancel-answer', 'data-outcome'), text: await page.textContent('#cancel-answer') };
}

async function openJob(id, status) {
  await page.waitForFunction((s) => document.querySelector('#job-record dd[data-field="status"]')?.textContent === s
    && !document.querySelector('#job').hidden, status, { timeout: WAIT });
  check(await page.textContent('#job-title') === id, 'the job page is of ' + await page.textContent('#job-title'));
}

async function jobs() {
  const later = env('LATER_JOBS').split(',');
  const done = env('DONE_JOB');
  const target = env('TARGET');
  const since = env('SINCE');

  step('the jobs page offers search and cancel, as the API has them');
  await page.goto(consoleUrl.href);
  await page.click('nav a[data-page="jobs"]');
  await page.locator('#search-form').waitFor({ timeout: WAIT });
  check(!(await page.isDisabled('#search-jobs')), 'search is not offered: ' + await page.textContent('#search-unavailable'));

  step('a search by status and target finds the jobs for later, newest first, a page at a time');
  await search('scheduled', target, 2);
  await page.waitForFunction(() => document.querySelectorAll('#search-results tbody tr').length === 2, null, { timeout: WAIT });
  const first = await rows();
  check(first[0].job === later[2] && first[1].job === later[1], 'the first page is ' + JSON.stringify(first));
  check(first.every((r) => r.status === 'scheduled' && r.target === target), 'a row of another status or target: ' + JSON.stringify(first));
  check((await page.textContent('#search-summary')).includes('More match'), 'the page does not say more match');
  await shot('jobs');

  step('the next page, by the cursor, has the oldest of them');
  await page.click('#search-next');
  await page.waitForFunction((id) => !!document.querySelector(`#search-results tr[data-job="${id}"]`), later[0], { timeout: WAIT });
  check((await page.textContent('#search-summary')).startsWith('Page 2'), 'the summary says ' + await page.textContent('#search-summary'));
  check(await page.isVisible('#search-first'), 'no way back to the first page');

  step("the scheduled job's page shows its record and that no call was made yet");
  await page.click(`#search-results tr[data-job="${later[0]}"] a`);
  await openJob(later[0], 'scheduled');
  check((await page.textContent('#job-record dd[data-field="runAt"]')).length > 0, 'the record shows no runAt');
  check((await page.textContent('#job-attempts')).startsWith('No call made yet'), 'attempts: ' + await page.textContent('#job-attempts'));

  step('cancel asks first, and nothing changes until it is confirmed');
  await page.click('#cancel-job');
  await page.locator('#cancel-confirm').waitFor({ state: 'visible', timeout: WAIT });
  check((await page.textContent('#cancel-question')).includes(later[0]), 'the question does not name the job');
  check((await record(later[0])).status === 'scheduled', 'asking changed the job');
  await page.click('#keep-job');
  check(await page.isHidden('#cancel-confirm'), 'keep it leaves the question open');
  check((await record(later[0])).status === 'scheduled', 'keeping it changed the job');

  step('confirmed, the job is cancelled and its page says so');
  const cancelled = await cancelFromThePage();
  check(cancelled.outcome === 'cancelled' && cancelled.text.startsWith('Cancelled'), 'the answer: ' + JSON.stringify(cancelled));
  await openJob(later[0], 'cancelled');
  check((await record(later[0])).status === 'cancelled', 'the API does not have it cancelled');
  await shot('job-cancelled');

  step('a search by status, target and time finds the finished job');
  await page.click('a[href="#jobs"]');
  await search('succeeded', target, 50, since);
  await page.waitForFunction((id) => !!document.querySelector(`#search-results tr[data-job="${id}"]`), done, { timeout: WAIT });
  check((await rows()).every((r) => r.status === 'succeeded'), 'a row of another status');

  step('cancelling the finished job says it is over, and changes nothing');
  await page.click(`#search-results tr[data-job="${done}"] a`);
  await openJob(done, 'succeeded');
  check((await page.textContent('#job-attempts')).startsWith('1 call made; the last answered HTTP 200'),
    'attempts: ' + await page.textContent('#job-attempts'));
  const over = await cancelFromThePage();
  check(over.outcome === 'refused' && over.text.includes('already over (succeeded)'), 'the answer: ' + JSON.stringify(over));
  check((await record(done)).status === 'succeeded', 'the finished job changed');
  await shot('job-over');

  step('the console cancels nothing unconfirmed, and says when a job is unknown');
  const cancel = (id, body) => page.evaluate(async ([job, text]) => {
    const r = await fetch('/api/jobs/' + job + '/cancel', { method: 'POST', body: text,
      headers: { 'X-Errand-Console': '1', 'Content-Type': 'application/json' } });
    return { status: r.status, detail: (await r.json()).detail };
  }, [id, body]);
  const unconfirmed = await cancel(later[1], '{}');
  check(unconfirmed.status === 400 && (await record(later[1])).status === 'scheduled', 'an unconfirmed cancel: ' + unconfirmed.status);
  const nobody = await cancel('01a212e0-3f05-7942-80a2-c34293387a07', '{"confirm":true}');
  check(nobody.status === 409 && nobody.detail.includes('no such job'), 'cancelling an unknown job: ' + JSON.stringify(nobody));

  step("find by id goes straight to the job's page; an unknown id says so and offers no cancel");
  await page.fill('#job-id', later[1]);
  await page.click('#find-job');
  await openJob(later[1], 'scheduled');
  check(await page.isHidden('#cancel-answer'), "the last job's answer is shown on another job's page");
  const unknown = '01a212e0-3f05-7942-80a2-c34293387a07';
  await page.fill('#job-id', unknown);
  await page.click('#find-job');
  await page.waitForFunction(() => document.querySelector('#job-note').textContent.includes('no such job'), null, { timeout: WAIT });
  check(await page.isHidden('#cancel-job'), 'cancel is offered for a job that does not exist');
}

async function guard() {
  step('a request without the token is refused');
  const bare = await page.goto(origin + '/');
  check(bare.status() === 403, 'without the token: ' + bare.status());
  check((await page.textContent('#why')).includes('needs its token'), 'the refusal does not say why');
  await shot('refused-no-token');
  const wrong = await page.goto(origin + '/?token=not-' + token);
  check(wrong.status() === 403, 'with a wrong token: ' + wrong.status());
  const api = await raw('GET', '/api/overview', { 'X-Errand-Console': '1' });
  check(api.status === 403, 'the API without the token: ' + api.status);

  step('a page under a foreign host name (DNS rebinding) is refused, token or not');
  const rebound = await page.goto(`http://${REBOUND}:${consoleUrl.port}/?token=${token}`);
  check(rebound.status() === 403, 'under a foreign Host: ' + rebound.status());
  check((await page.textContent('#why')).includes('answers only as 127.0.0.1'), 'the refusal does not say why');
  await shot('refused-foreign-host');

  step('with the token the console opens');
  const opened = await page.goto(consoleUrl.href);
  check(opened.status() === 200, 'with the token: ' + opened.status());
  const cookie = (await browser.cookies(origin)).find((c) => c.name.startsWith('errand_console_'));
  check(cookie && cookie.httpOnly && cookie.sameSite === 'Strict', 'the token cookie is not HttpOnly and SameSite=Strict');
  const cookieHeader = cookie.name + '=' + cookie.value;

  step("another site's page cannot act through the operator's browser (CSRF)");
  const evil = http.createServer((request, response) => {
    response.setHeader('Content-Type', 'text/html');
    response.end(`<!doctype html><title>elsewhere</title><script>
      fetch('${origin}/api/redrive/plan', { method: 'POST', mode: 'no-cors', credentials: 'include',
        headers: { 'Content-Type': 'text/plain' }, body: JSON.stringify({ all: true }) });
    </script>`);
  });
  await new Promise((resolve) => evil.listen(0, '127.0.0.1', resolve));
  const seen = page.waitForResponse((r) => r.url() === origin + '/api/redrive/plan', { timeout: WAIT });
  await page.goto(`http://127.0.0.1:${evil.address().port}/`);
  const attempt = await seen;
  check(attempt.status() === 403, 'a cross-site POST from a page that had the cookie: ' + attempt.status());
  evil.close();

  step('requests naming another origin or host, or lacking the console header, are refused even with the cookie');
  const headers = { Cookie: cookieHeader, 'X-Errand-Console': '1', 'Content-Type': 'application/json' };
  const foreignOrigin = await raw('POST', '/api/redrive/plan', { ...headers, Origin: 'http://evil.example' }, '{"all":true}');
  check(foreignOrigin.status === 403 && foreignOrigin.text.includes('may not use this console'), 'a foreign Origin: ' + foreignOrigin.status);
  const foreignHost = await raw('GET', '/api/overview', { ...headers, Host: 'evil.example:' + consoleUrl.port });
  check(foreignHost.status === 403, 'a foreign Host: ' + foreignHost.status);
  const noHeader = await raw('POST', '/api/redrive/plan', { Cookie: cookieHeader, 'Content-Type': 'application/json' }, '{"all":true}');
  check(noHeader.status === 403, 'without the console header: ' + noHeader.status);
  const preflight = await raw('OPTIONS', '/api/redrive/plan', { ...headers, Origin: 'http://evil.example' });
  check(preflight.status === 403 && preflight.headers['access-control-allow-origin'] === undefined, 'a CORS preflight is allowed');

  step('read-only until confirmed: a redrive without its dry run is refused');
  const unplanned = await raw('POST', '/api/redrive/start', headers, '{"planId":"0011223344556677","confirm":true}');
  check(unplanned.status === 409 && unplanned.text.includes('do a dry run first'), 'a redrive without a dry run: ' + unplanned.status);
  const unconfirmed = await raw('POST', '/api/redrive/start', headers, '{"planId":"0011223344556677"}');
  check(unconfirmed.status === 400, 'a redrive without confirm: ' + unconfirmed.status);
  const allowed = await raw('GET', '/api/overview', headers);
  check(allowed.status === 200, 'the same request from the console: ' + allowed.status);
}

/** The targets page: the target's state cell reads this state (its first word). */
async function targetState(target, wanted) {
  await page.waitForFunction(([name, word]) => document.querySelector(`#targets-table tr[data-target="${name}"] td.state`)?.firstChild?.textContent === word,
    [target, wanted], { timeout: WAIT });
}

/** Pause (PAUSE_REASON set) or resume the target from the targets page, confirming as an operator would. */
async function targetControl() {
  const target = env('TARGET');
  const reason = process.env.PAUSE_REASON;
  const verb = reason ? 'Pause' : 'Resume';
  const before = reason ? 'closed' : 'paused';
  const after = reason ? 'paused' : 'closed';

  step('the targets page shows the target ' + before + ', and offers to ' + verb.toLowerCase() + ' it');
  await page.goto(consoleUrl.href);
  await page.click('nav a[data-page="targets"]');
  await targetState(target, before);
  const button = page.locator(`#targets-table tr[data-target="${target}"] button.target-action`);
  check(await button.textContent() === verb && !(await button.isDisabled()), 'the button says ' + await button.textContent());

  step('nothing is done until the operator confirms');
  await button.click();
  await page.locator('#target-confirm').waitFor({ timeout: WAIT });
  check(await page.textContent('#confirm-target-action') === verb + ' ' + target + ' now', 'the confirm button says '
    + await page.textContent('#confirm-target-action'));
  check(await page.isVisible('#pause-reason') === Boolean(reason), 'the reason field is shown for a resume, or hidden for a pause');
  if (reason) await page.fill('#pause-reason', reason);
  await page.waitForTimeout(1500);
  await targetState(target, before);
  await shot('target-' + verb.toLowerCase() + '-confirm');

  step('confirmed, the page shows the target ' + after);
  await page.click('#confirm-target-action');
  await targetState(target, after);
  const why = await page.textContent(`#targets-table tr[data-target="${target}"] .state-why`);
  if (reason) check(why.includes(reason) && why.includes('until resumed'), 'the state does not say why: ' + why);
  check(await button.textContent() === (reason ? 'Resume' : 'Pause'), 'the button now says ' + await button.textContent());
  check((await page.textContent('#targets-done')).includes((reason ? 'paused ' : 'resumed ') + "'" + target + "' fleet-wide"),
    'the page does not say what was done');
  await shot('target-' + after);
}

try {
  await ({ redrive, guard, jobs, 'target-control': targetControl })[scenario]();
  check(errors.length === 0, 'the page threw: ' + errors.join('; '));
  console.log('passed: ' + scenario);
} catch (e) {
  console.error('FAILED at step "' + current + '": ' + e.message);
  await shot('failure-' + scenario).catch(() => {});
  process.exitCode = 1;
} finally {
  await browser.close();
  rmSync(profile, { recursive: true, force: true });
}
