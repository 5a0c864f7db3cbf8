/* global ResizeObserver, uPlot */
// The operators' status page: asks for an admin's token once (kept in sessionStorage, for this tab only), then reads
// GET /api/admin/status every second and draws it. Everything is written with textContent: no markup from the data.
(function () {
  'use strict';

  const TOKEN_KEY = 'school-data-status-token';
  const REFRESH_MS = 1000;
  const SOURCES = [
    { name: 'database', label: 'database', color: '#2e7d32' },
    { name: 'stale', label: 'stale (remembered, snapshot)', color: '#f9a825' },
    { name: 'fallback', label: 'fallback (backup data)', color: '#ef6c00' },
    { name: 'unavailable', label: 'unavailable (503)', color: '#c62828' },
  ];
  const DEGRADED_SHADE = 'rgba(198, 40, 40, 0.10)';

  const $ = (id) => document.getElementById(id);
  const page = { answersChart: null, latencyChart: null, report: null };
  window.statusPage = page;

  let token = sessionStorage.getItem(TOKEN_KEY);
  let timer;
  let degradedPeriods = [];

  function text(element, value) {
    element.textContent = value === null || value === undefined || value === '' ? '—' : String(value);
  }

  function ago(iso) {
    if (!iso) return null;
    const seconds = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
    const span =
      seconds < 120
        ? `${seconds} s`
        : seconds < 7200
          ? `${Math.round(seconds / 60)} min`
          : `${Math.round(seconds / 3600)} h`;
    return `${new Date(iso).toLocaleString()} (${span} ago)`;
  }

  function bytes(count) {
    if (count < 1024) return `${count} B`;
    if (count < 1024 * 1024) return `${(count / 1024).toFixed(1)} KB`;
    return `${(count / 1024 / 1024).toFixed(1)} MB`;
  }

  function fillTable(table, rows) {
    const body = table.tBodies[0];
    body.replaceChildren(
      ...rows.map((cells) => {
        const row = document.createElement('tr');
        for (const cell of cells) {
          const td = document.createElement('td');
          if (cell && typeof cell === 'object') {
            text(td, cell.text);
            if (cell.className) td.className = cell.className;
          } else text(td, cell);
          row.append(td);
        }
        return row;
      }),
    );
  }

  function fillList(list, items) {
    list.replaceChildren(
      ...items.map((item) => {
        const li = document.createElement('li');
        li.textContent = item.text;
        if (item.key) li.dataset.key = item.key;
        if (item.color) li.style.setProperty('--swatch', item.color);
        return li;
      }),
    );
  }

  // --- token -------------------------------------------------------------------------------------------------------

  function askForToken(message) {
    window.clearTimeout(timer);
    token = null;
    sessionStorage.removeItem(TOKEN_KEY);
    $('dashboard').hidden = true;
    $('token-form').hidden = false;
    $('token-error').hidden = !message;
    $('token-error').textContent = message || '';
    $('token').focus();
  }

  $('token-form').addEventListener('submit', (event) => {
    event.preventDefault();
    token = $('token')
      .value.trim()
      .replace(/^Bearer\s+/i, '');
    $('token').value = '';
    if (!token) return;
    sessionStorage.setItem(TOKEN_KEY, token);
    void refresh();
  });

  $('forget-token').addEventListener('click', () => askForToken(''));

  function request(method, path) {
    return fetch(path, { method, headers: { Authorization: `Bearer ${token}`, Accept: 'application/json' } });
  }

  /** True when the answer refused the token: the page asks for another. */
  async function refused(response) {
    if (response.status !== 401 && response.status !== 403) return false;
    let detail = '';
    try {
      detail = (await response.json()).message || '';
    } catch {
      // No JSON body: the status says enough.
    }
    askForToken(
      response.status === 403
        ? `Refused (403): this token is not an admin's. The status page is for admins only.${detail ? ` ${detail}` : ''}`
        : `Refused (401): the token is not valid.${detail ? ` ${detail}` : ''}`,
    );
    return true;
  }

  // --- charts ------------------------------------------------------------------------------------------------------

  /** Shades the degraded periods behind the series. */
  const degradedShading = {
    hooks: {
      drawClear: [
        (u) => {
          const { ctx, bbox } = u;
          const [min, max] = [u.scales.x.min, u.scales.x.max];
          ctx.save();
          ctx.fillStyle = DEGRADED_SHADE;
          for (const period of degradedPeriods) {
            const from = Math.max(period.from, min);
            const to = Math.min(period.to === null ? max : period.to, max);
            if (to <= from) continue;
            const left = u.valToPos(from, 'x', true);
            ctx.fillRect(left, bbox.top, u.valToPos(to, 'x', true) - left, bbox.height);
          }
          ctx.restore();
        },
      ],
    },
  };

  function chartWidth() {
    return Math.max(320, $('answers-chart').clientWidth || document.body.clientWidth - 40);
  }

  function createCharts() {
    const width = chartWidth();
    page.answersChart = new uPlot(
      {
        width,
        height: 220,
        plugins: [degradedShading],
        scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(1, max)] } },
        axes: [{}, { label: 'answers / s' }],
        series: [
          {},
          ...SOURCES.map((source) => ({
            label: source.label,
            stroke: source.color,
            fill: `${source.color}22`,
            width: 1.5,
            points: { show: false },
          })),
        ],
      },
      [[], [], [], [], []],
      $('answers-chart'),
    );
    page.latencyChart = new uPlot(
      {
        width,
        height: 200,
        plugins: [degradedShading],
        scales: { x: { time: true } },
        axes: [{}, { label: 'ms' }],
        series: [
          {},
          { label: 'p50', stroke: '#1565c0', width: 1.5, spanGaps: false, points: { show: false } },
          { label: 'p99', stroke: '#6a1b9a', width: 1.5, spanGaps: false, points: { show: false } },
        ],
      },
      [[], [], []],
      $('latency-chart'),
    );
    new ResizeObserver(() => {
      const resized = chartWidth();
      page.answersChart.setSize({ width: resized, height: 220 });
      page.latencyChart.setSize({ width: resized, height: 200 });
    }).observe($('answers-chart'));
  }

  /** The last `$('window')` seconds of the answers: the chart, and the totals under it. */
  function drawCharts(answers, periods) {
    degradedPeriods = periods;
    const shown = (values) => values.slice(-Number($('window').value));
    const times = shown(answers.p50Ms.map((_value, index) => answers.start + index));
    const counts = SOURCES.map((source) => shown(answers.counts[source.name]));
    page.answersChart.setData([times, ...counts]);
    page.latencyChart.setData([times, shown(answers.p50Ms), shown(answers.p99Ms)]);
    fillList(
      $('answer-totals'),
      SOURCES.map((source, index) => ({
        key: source.name,
        color: source.color,
        text: `${source.label}: ${counts[index].reduce((sum, count) => sum + count, 0)}`,
      })),
    );
  }

  $('window').addEventListener('change', () => {
    if (page.report) drawCharts(page.report.answers, page.report.degradedPeriods);
  });

  // --- the report --------------------------------------------------------------------------------------------------

  function show(report) {
    const { health, journal } = report;
    const mode = $('mode');
    mode.textContent = health.mode;
    mode.dataset.mode = health.mode;
    $('drill-badge').hidden = !health.drill;
    $('drill-toggle').textContent = health.drill ? 'Stop drill' : 'Start drill';
    $('drill-toggle').dataset.drill = String(health.drill);
    text($('since'), health.mode === 'degraded' ? ago(health.degradedSince) : null);
    text($('reason'), health.reason);
    text($('breaker'), health.breaker.state);
    const { database } = health;
    text(
      $('database'),
      database.status === 'up'
        ? `up (ping ${database.responseTimeMs} ms)`
        : `down${database.lastError ? `: ${database.lastError}` : ''}`,
    );
    const beat = health.breaker.heartbeat;
    text(
      $('heartbeat'),
      `${beat.sent} sent, ${beat.missed} missed, last round trip ${beat.lastRoundTripMs ?? '—'} ms, timeout ${beat.timeoutMs} ms`,
    );
    const stall = health.breaker.lastStall;
    text($('last-stall'), stall ? `${stall.message}, ${ago(stall.at)}` : null);

    drawCharts(report.answers, report.degradedPeriods);

    fillList(
      $('journal-counts'),
      Object.entries(journal.counts).map(([status, count]) => ({ key: status, text: `${status}: ${count}` })),
    );
    fillTable(
      $('journal-entries'),
      journal.entries.map((entry) => [
        entry.seq,
        entry.status,
        entry.collection,
        entry.operation,
        entry.documentId,
        {
          className: 'reason',
          text:
            entry.reason + (entry.supersededBy ? ` (the later write left: ${JSON.stringify(entry.supersededBy)})` : ''),
        },
        entry.finishedAt ? new Date(entry.finishedAt).toLocaleString() : null,
      ]),
    );

    const tier = health.lastKnownGood;
    const facts = [
      ['enabled', tier.enabled ? 'yes' : 'no'],
      ['entries', tier.entries],
      ['size', `${bytes(tier.bytes)} of ${bytes(tier.maxBytes)}`],
      ['oldest entry', tier.oldestAgeSeconds === null ? null : `${tier.oldestAgeSeconds} s old`],
      ['kept at most', `${tier.maxAgeSeconds} s`],
      [
        'shared copy (Redis)',
        tier.redis.configured
          ? `${tier.redis.connected ? 'connected' : 'not connected'}${tier.redis.lastError ? `: ${tier.redis.lastError}` : ''}`
          : 'not configured',
      ],
    ];
    $('last-known-good').replaceChildren(
      ...facts.flatMap(([name, value]) => {
        const dt = document.createElement('dt');
        dt.textContent = name;
        const dd = document.createElement('dd');
        text(dd, value);
        return [dt, dd];
      }),
    );
    fillTable(
      $('snapshots'),
      Object.entries(tier.snapshots).map(([collection, snapshot]) => [
        collection,
        snapshot.state,
        snapshot.records,
        bytes(snapshot.bytes),
        ago(snapshot.refreshedAt),
      ]),
    );
    fillTable(
      $('deadlines'),
      health.breaker.deadlines.map((deadline) => [
        deadline.operation,
        deadline.deadlineMs,
        deadline.p99Ms,
        deadline.samples,
      ]),
    );
    fillTable(
      $('outage-answers'),
      Object.entries(health.outageAnswers).map(([collection, bySource]) => [
        collection,
        bySource.stale ?? 0,
        bySource.snapshot ?? 0,
        bySource.fallback ?? 0,
        bySource.unavailable ?? 0,
      ]),
    );
    $('updated').textContent = `updated ${new Date(report.at).toLocaleTimeString()}`;
  }

  async function refresh() {
    window.clearTimeout(timer);
    if (!token) return askForToken('');
    try {
      const response = await request('GET', '/api/admin/status');
      if (await refused(response)) return;
      if (!response.ok) throw new Error(`GET /api/admin/status answered ${response.status}`);
      const report = await response.json();
      $('token-form').hidden = true;
      $('dashboard').hidden = false;
      if (!page.answersChart) createCharts();
      page.report = report;
      show(report);
    } catch (error) {
      $('updated').textContent = `not updated: ${error.message}`;
    }
    timer = window.setTimeout(() => void refresh(), REFRESH_MS);
  }

  // --- drill -------------------------------------------------------------------------------------------------------

  $('drill-toggle').addEventListener('click', async () => {
    const starting = $('drill-toggle').dataset.drill !== 'true';
    const question = starting
      ? 'Start a drill? The service answers as in a database outage (remembered data, backup data, writes ' +
        'journalled) until the drill is stopped.'
      : 'Stop the drill? The service goes back to the database and replays the journalled writes.';
    if (!window.confirm(question)) return;
    const response = await request(starting ? 'POST' : 'DELETE', '/api/admin/fallback/drill');
    if (await refused(response)) return;
    if (!response.ok) $('updated').textContent = `the drill switch answered ${response.status}`;
    await refresh();
  });

  if (token) void refresh();
  else askForToken('');
})();
