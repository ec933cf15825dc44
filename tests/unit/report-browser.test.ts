// The conformance report in a real browser: the suite runs against a mutant mock (so there are failures), and Debian's
// Chromium opens the generated index.html from disk: the matrix, the filters and the failure evidence render and work,
// the page loads nothing from the network, and a screenshot of it is a real picture (size, colours).
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from '@playwright/test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConformanceReport } from '../../src/report/report.ts';
import { colourStats, decodePng, PASSWORD, readReport, reportValidator, sharedMutantRun } from './report-helpers.ts';

export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Debian's Chromium, never a browser download; a missing one fails the test with the way to install it. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's Chromium (apt-get install -y chromium; .ci/run does it)`);
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

const MUTANT = 'pagescount-off-by-one';

describe(`the conformance report of a run against mutant ${MUTANT}, in Chromium`, () => {
  let reportsDir: string;
  let report: ConformanceReport;
  let browser: Browser;
  let page: Page;
  let indexHtml: string;
  const requested: string[] = [];
  const pageErrors: string[] = [];

  beforeAll(async () => {
    ({ reportsDir } = await sharedMutantRun(MUTANT));
    indexHtml = path.join(reportsDir, 'conformance', 'index.html');
    report = readReport(reportsDir);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
    page.on('request', (r) => requested.push(r.url()));
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    await page.goto(pathToFileURL(indexHtml).href);
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
  });

  it('writes a report valid against its schema, where the mutant fails its rule', () => {
    const validate = reportValidator();
    expect(validate(report), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
    const page4 = report.rules.find((r) => r.id === 'PAGE-004')!;
    expect(page4.verdict).toBe('fail');
    expect(report.summary.fail).toBeGreaterThan(0);
    expect(report.summary.pass).toBeGreaterThan(80);
    expect(report.summary.error).toBe(0);
    expect(report.run.requests).toBeGreaterThan(500);
    // writes are off: the action rules are not applicable by configuration
    expect(report.rules.filter((r) => r.family === 'ACT').every((r) => r.verdict === 'not-applicable' && r.naKind === 'config')).toBe(true);
    expect(report.target).toMatchObject({ reachable: true, embeddedMock: false, profile: 'v12', latestApiVersion: 'v1_7' });
    expect(report.target.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api$/);
    const size = statSync(indexHtml).size;
    expect(size).toBeLessThan(3_000_000);
    expect(readFileSync(indexHtml, 'utf8')).not.toContain(PASSWORD);
  });

  it('opens offline: the page requests nothing but itself and raises no error', () => {
    expect(requested).toEqual([pathToFileURL(indexHtml).href]);
    expect(pageErrors).toEqual([]);
  });

  it('shows the target, the versions and the verdict', async () => {
    await expect(page.locator('#overall').textContent()).resolves.toContain('FAIL');
    const facts = (await page.locator('.facts').innerText()).replace(/\s+/g, ' ');
    expect(facts).toContain('v1_5, v1_6, v1_7');
    expect(facts).toContain(`${report.suite.name} ${report.suite.version}`);
    expect(facts).toContain(report.spec.version);
    expect(await page.locator('.target-url').innerText()).toContain(report.target.url!);
  });

  it('renders the matrix of operations × rules × representation', async () => {
    const rows = page.locator('#matrix table.matrix tbody tr');
    expect(await rows.count()).toBeGreaterThanOrEqual(30);
    const headers = await page.locator('#matrix thead th').allInnerTexts();
    // actions: the teardown project, whose tests are not applicable here (writes disabled)
    expect(headers.map((h) => h.toLowerCase())).toEqual(['operation', 'xml', 'json', 'cross', 'actions', 'no test']);
    // the query row: PAGE-004 failed in the xml and json columns
    const query = page.locator('#matrix tr[data-op="query"]');
    await expect(query.locator('td').nth(0).locator('a.chip', { hasText: 'PAGE-004' }).getAttribute('class')).resolves.toContain('v-fail');
    await expect(query.locator('td').nth(1).locator('a.chip', { hasText: 'PAGE-004' }).getAttribute('class')).resolves.toContain('v-fail');
    expect(await page.locator('#matrix a.chip.v-pass').count()).toBeGreaterThan(200);
  });

  it('filters by verdict: a click hides the passing rules, another shows them again', async () => {
    const passRows = page.locator('tr[data-rule-row][data-verdict="pass"]');
    const failRows = page.locator('tr[data-rule-row][data-verdict="fail"]');
    const passing = report.summary.pass;
    expect(await passRows.count()).toBe(passing);
    await expect(passRows.first().isVisible()).resolves.toBe(true);
    await page.click('[data-filter-verdict="pass"]');
    expect(await page.locator('tr[data-rule-row][data-verdict="pass"]:visible').count()).toBe(0);
    expect(await page.locator('#matrix a.chip.v-pass:visible').count()).toBe(0);
    expect(await failRows.first().isVisible()).toBe(true);
    await expect(page.locator('#filter-count').innerText()).resolves.toBe(`${report.rules.length - passing} of ${report.rules.length} rules`);
    await expect(page.locator('[data-filter-verdict="pass"]').getAttribute('aria-pressed')).resolves.toBe('false');
    // a family with only passing rules disappears
    const allPass = report.families.find((f) => f.rules > 0 && f.pass === f.rules)!;
    expect(await page.locator(`#family-${allPass.id}`).isVisible()).toBe(false);
    await page.click('[data-filter-verdict="pass"]');
    expect(await page.locator('tr[data-rule-row][data-verdict="pass"]:visible').count()).toBe(passing);
    expect(await page.locator(`#family-${allPass.id}`).isVisible()).toBe(true);
  });

  it('filters by area and by text', async () => {
    await page.selectOption('#filter-area', 'PAGE');
    const visible = await page.locator('tr[data-rule-row]:visible').evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.family));
    expect(visible.length).toBe(report.rules.filter((r) => r.family === 'PAGE').length);
    expect(new Set(visible)).toEqual(new Set(['PAGE']));
    // failure cards of other areas are hidden too
    expect(await page.locator('details.failure:visible').count()).toBe(report.failures.filter((f) => f.families.includes('PAGE')).length);
    await page.selectOption('#filter-area', '');
    await page.fill('#filter-text', 'page-004');
    expect(await page.locator('tr[data-rule-row]:visible').count()).toBe(1);
    await page.click('#filter-reset');
    expect(await page.locator('tr[data-rule-row]:visible').count()).toBe(report.rules.length);
  });

  it('shows the evidence of a failure: request line, status, expected vs actual, the body with the value marked', async () => {
    const fails = report.failures.filter((f) => f.kind === 'fail');
    expect(await page.locator('#failures details.failure').count()).toBe(fails.length);
    const index = report.failures.findIndex((f) => f.rules.includes('PAGE-004') && f.items[0]?.highlight);
    expect(index).toBeGreaterThanOrEqual(0);
    const card = page.locator(`#failure-${index}`);
    await card.evaluate((d) => ((d as HTMLDetailsElement).open = true));
    const item = report.failures[index]!.items[0]!;
    const request = await card.locator('.request').first().innerText();
    expect(request).toContain(`${item.request!.method} ${item.request!.url}`);
    expect(request).toContain(String(item.request!.status));
    await expect(card.locator('.expected pre').first().innerText()).resolves.toBe(item.expected);
    await expect(card.locator('.actual pre').first().innerText()).resolves.toBe(item.actual);
    const mark = card.locator('details.body mark').first();
    await expect(mark.isVisible()).resolves.toBe(true);
    await expect(mark.innerText()).resolves.toBe(item.actual);
    // the rule's row links to its evidence, the evidence back to the rule
    await page.click(`#rule-PAGE-004 .flinks a[href="#failure-${index}"]`);
    expect(page.url()).toContain(`#failure-${index}`);
    await card.locator('a.rule-ref', { hasText: 'PAGE-004' }).first().click();
    expect(await page.locator('#rule-PAGE-004').isVisible()).toBe(true);
  });

  it('takes a screenshot that is a real picture of the page', async () => {
    await page.evaluate(() => window.scrollTo(0, 0));
    const file = path.join(reportsDir, 'conformance', 'screenshot.png');
    const shot = await page.screenshot({ path: file });
    const png = decodePng(shot);
    expect([png.width, png.height]).toEqual([1366, 768]);
    const stats = colourStats(png);
    expect(stats.distinct, 'a blank or flat page has few colours').toBeGreaterThan(200);
    expect(stats.nonBackground, 'share of pixels that are not background').toBeGreaterThan(0.2);
    // the verdict box is drawn in the fail colours (#cf222e border on #ffebe9)
    const at = (x: number, y: number) => png.pixels.readUInt32BE((y * png.width + x) * 4) >>> 8;
    const box = await page.locator('#overall').boundingBox();
    expect(at(Math.round(box!.x + box!.width / 2), Math.round(box!.y + 6))).toBe(0xffebe9);
    writeFileSync(path.join(reportsDir, 'conformance', 'screenshot-full.png'), await page.screenshot({ fullPage: true }));
  });
});
