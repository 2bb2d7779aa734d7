// The operations console: sign-in, then Overview, Dead letters and the Decision 766 scorecard.
// Preact + htm (no build-time JSX), uPlot for the charts; bundled by esbuild in `npm run build`.
import { html, render } from 'htm/preact';
import { useCallback, useEffect, useState } from 'preact/hooks';
import { api, ApiError, setCsrfToken } from './api.js';
import { Chart } from './chart.js';

// Each page needs one role; the navigation shows those of the signed-in client's roles.
const PAGES = [
  { id: 'overview', title: 'Overview', role: 'OPERATOR' },
  { id: 'dead-letters', title: 'Dead letters', role: 'OPERATOR' },
  { id: 'scorecard', title: 'Decision 766 scorecard', role: 'OPERATOR' },
  { id: 'portal-sync', title: 'Portal sync gaps', role: 'OPERATOR' },
  { id: 'certificates', title: 'Certificates', role: 'OPERATOR' },
  { id: 'upstream', title: 'Upstream', role: 'OPERATOR', hidden: true },
  { id: 'data-protection', title: 'Data protection', role: 'DATA_PROTECTION_OFFICER' },
];

function usePage() {
  // '' (no hash): the first page the signed-in client may see
  const read = () => location.hash.replace(/^#\/?/, '').split('?')[0];
  const [page, setPage] = useState(read());
  useEffect(() => {
    const onHash = () => setPage(read());
    addEventListener('hashchange', onHash);
    return () => removeEventListener('hashchange', onHash);
  }, []);
  return page;
}

function usePolling(load, intervalMs, deps = []) {
  const [state, setState] = useState({ data: undefined, error: undefined });
  useEffect(() => {
    let stopped = false;
    let timer;
    const tick = async () => {
      try {
        const data = await load();
        if (!stopped) setState({ data, error: undefined });
      } catch (error) {
        if (!stopped) setState((previous) => ({ data: previous.data, error }));
      }
      if (!stopped && intervalMs) timer = setTimeout(tick, intervalMs);
    };
    tick();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, deps);
  return state;
}

const fmt = (value, unit = '') => (value === null || value === undefined ? '–' : `${value}${unit}`);

// ---------------------------------------------------------------------------------------------- sign-in

function SignIn({ onSignedIn, refused }) {
  const [apiKey, setApiKey] = useState('');
  const [error, setError] = useState(refused);
  const submit = async (event, withCertificate = false) => {
    event.preventDefault();
    setError(undefined);
    try {
      const session = await api('/console/session', {
        method: 'POST',
        body: withCertificate ? {} : { apiKey },
      });
      onSignedIn(session);
    } catch (failure) {
      setError(failure.message);
    }
  };
  return html`<main class="signin">
    <h1>Liên Thông</h1>
    <p class="muted">Operations console — sign in with an operator's API key or client certificate.</p>
    <form onSubmit=${(event) => submit(event)}>
      <label
        >API key
        <input
          type="password"
          name="apiKey"
          autocomplete="off"
          value=${apiKey}
          onInput=${(event) => setApiKey(event.target.value)}
      /></label>
      <button type="submit">Sign in</button>
      <button type="button" class="secondary" onClick=${(event) => submit(event, true)}>
        Sign in with client certificate
      </button>
    </form>
    ${error && html`<p class="error" role="alert" data-testid="signin-error">${error}</p>`}
  </main>`;
}

// --------------------------------------------------------------------------------------------- overview

function Badge({ status }) {
  return html`<span class=${`badge ${status}`} data-testid="status">${status}</span>`;
}

function UpstreamCard({ upstream, history }) {
  const points = history ?? [];
  const times = points.map((p) => p.t / 1000);
  return html`<section class="card" data-testid=${`upstream-${upstream.name}`}>
    <header>
      <h3><a href=${`#/upstream?name=${upstream.name}`}>${upstream.title}</a></h3>
      <${Badge} status=${upstream.status} />
    </header>
    <dl class="figures">
      <dt>Circuit</dt>
      <dd data-testid="circuit">${upstream.circuit ?? '–'}</dd>
      <dt>Requests/min</dt>
      <dd>${upstream.requestsPerMinute}</dd>
      <dt>Errors/min</dt>
      <dd>${upstream.errorsPerMinute}</dd>
      <dt>p50 / p99</dt>
      <dd>${fmt(upstream.p50Ms, ' ms')} / ${fmt(upstream.p99Ms, ' ms')}</dd>
    </dl>
    ${
      upstream.configured &&
      html`<${Chart}
          title="Latency (ms)"
          times=${times}
          width=${280}
          height=${110}
          series=${[
            { label: 'p50', values: points.map((p) => p.p50), color: '#2a7ab0' },
            { label: 'p99', values: points.map((p) => p.p99), color: '#c2410c' },
          ]}
        />
        <${Chart}
          title="Per minute"
          times=${times}
          width=${280}
          height=${110}
          series=${[
            { label: 'requests', values: points.map((p) => p.requests), color: '#15803d' },
            { label: 'errors', values: points.map((p) => p.errors), color: '#b91c1c' },
          ]}
        />`
    }
  </section>`;
}

function Overview() {
  const { data, error } = usePolling(() => api('/console/api/overview'), 2000);
  if (!data) return html`<p>${error ? error.message : 'Loading…'}</p>`;
  return html`<div>
    <p class="muted">
      Updated${' '}
      <time data-testid="updated">${new Date(data.at).toLocaleTimeString()}</time>
      ${error && html` — <span class="error">${error.message}</span>`}
    </p>
    <div class="grid">
      ${data.upstreams.map(
        (u) => html`<${UpstreamCard} key=${u.name} upstream=${u} history=${data.history[u.name]} />`,
      )}
    </div>
    <div class="grid">
      <section class="card" data-testid="kafka">
        <header>
          <h3>Kafka</h3>
          <${Badge} status=${data.kafka.status} />
        </header>
      </section>
      <section class="card" data-testid="database">
        <header>
          <h3>Database</h3>
          <${Badge} status=${data.database.status} />
        </header>
      </section>
      <section class="card">
        <h3>Outbox depth</h3>
        <p class="big" data-testid="outbox">${fmt(data.outboxDepth)}</p>
      </section>
      <section class="card">
        <h3>Dead letters waiting</h3>
        <p class="big" data-testid="dead-letters">
          <a href="#/dead-letters">${fmt(data.deadLetters)}</a>
        </p>
      </section>
    </div>
    <section class="card wide">
      <h3>Consumer lag</h3>
      <table>
        <thead>
          <tr>
            <th>Group</th>
            <th>Lag</th>
          </tr>
        </thead>
        <tbody>
          ${data.consumerLag.map(
            (g) =>
              html`<tr key=${g.group}>
                <td>${g.group}</td>
                <td>${g.lag}</td>
              </tr>`,
          )}
        </tbody>
      </table>
    </section>
  </div>`;
}

// ------------------------------------------------------------------------------------- upstream detail

function StepStatus({ status }) {
  const css = status === 'ok' ? 'up' : status === 'failed' ? 'down' : 'unknown';
  return html`<span class=${`badge ${css}`} data-testid="step-status">${status}</span>`;
}

function Certificates({ certificates }) {
  return html`<table class="certificates">
    <thead>
      <tr>
        <th>Subject</th>
        <th>Issuer</th>
        <th>Valid to</th>
        <th>Days to expiry</th>
      </tr>
    </thead>
    <tbody>
      ${certificates.map(
        (c, i) =>
          html`<tr key=${i}>
            <td>${c.subject}</td>
            <td>${c.issuer}</td>
            <td>${c.validTo.slice(0, 10)}</td>
            <td class=${c.daysToExpiry < 30 ? 'error' : ''}>${c.daysToExpiry}</td>
          </tr>`,
      )}
    </tbody>
  </table>`;
}

function UpstreamDetail() {
  const name = new URLSearchParams(location.hash.split('?')[1] ?? '').get('name') ?? '';
  const [reload, setReload] = useState(0);
  const { data, error } = usePolling(() => api(`/console/api/upstreams/${encodeURIComponent(name)}`), 0, [
    name,
    reload,
  ]);
  const [check, setCheck] = useState();
  const [checking, setChecking] = useState(false);
  const [checkError, setCheckError] = useState();
  const run = async () => {
    setChecking(true);
    setCheckError(undefined);
    try {
      setCheck(
        await api(`/console/api/upstreams/${encodeURIComponent(name)}/check`, { method: 'POST', body: {} }),
      );
      setReload(reload + 1);
    } catch (failure) {
      setCheckError(failure.message);
    } finally {
      setChecking(false);
    }
  };
  if (!data) return html`<p>${error ? error.message : 'Loading…'}</p>`;
  return html`<div>
    <h3 data-testid="upstream-title">${data.title}</h3>
    <p class="muted">
      ${data.origin ? html`${data.origin} — authentication: ${data.authentication}` : 'Not called by the gateway from this process.'}
      ${' '}<a href="#/overview">back to the overview</a>
    </p>
    <div class="grid">
      <section class="card wide" data-testid="failures">
        <h3>Failures in the last ${data.failureWindowMinutes} minutes, by reason</h3>
        ${
          data.failures.length
            ? html`<table>
                <thead>
                  <tr>
                    <th>Reason</th>
                    <th>Failures</th>
                    <th>Last</th>
                  </tr>
                </thead>
                <tbody>
                  ${data.failures.map(
                    (f) =>
                      html`<tr key=${f.code} data-testid=${`failure-${f.code}`}>
                        <td>${f.code}</td>
                        <td data-testid="count">${f.count}</td>
                        <td>${new Date(f.lastAt).toLocaleString()}</td>
                      </tr>`,
                  )}
                </tbody>
              </table>`
            : html`<p data-testid="no-failures">No failures.</p>`
        }
      </section>
      <section class="card wide" data-testid="diagnostics">
        <h3>Connection diagnostics</h3>
        ${
          data.checkable
            ? html`<button onClick=${run} disabled=${checking}>
                ${checking ? 'Checking…' : 'Check connection'}
              </button>`
            : html`<p class="muted">
                The relay calls this upstream; its connection cannot be checked from the gateway.
              </p>`
        }
        ${checkError && html`<p class="error" role="alert">${checkError}</p>`}
        ${
          check &&
          html`<p data-testid="check-result">
              ${check.ok ? 'All steps passed' : 'A step failed'} — ${new Date(check.at).toLocaleTimeString()}
            </p>
            <ol class="steps">
              ${check.steps.map(
                (s) =>
                  html`<li key=${s.step} data-testid=${`step-${s.step}`}>
                    <strong>${s.title}</strong> <${StepStatus} status=${s.status} />
                    <small class="muted">${s.durationMs} ms</small>
                    <p data-testid="step-detail">${s.detail}</p>
                    ${s.certificates && html`<${Certificates} certificates=${s.certificates} />`}
                  </li>`,
              )}
            </ol>
            <p class="muted">Recorded in the audit log (service console.check-connection).</p>`
        }
      </section>
    </div>
  </div>`;
}

// ----------------------------------------------------------------------------------------- dead letters

function query(filter) {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(filter)) if (value) params.set(name, value);
  return params.toString();
}

function toIso(local) {
  return local ? new Date(local).toISOString() : '';
}

function DeadLetters() {
  const [filter, setFilter] = useState({ code: '', topic: '', since: '', until: '' });
  const [letters, setLetters] = useState();
  const [selected, setSelected] = useState(new Set());
  const [inspected, setInspected] = useState();
  const [plan, setPlan] = useState();
  const [job, setJob] = useState();
  const [error, setError] = useState();
  const [busy, setBusy] = useState(false);

  const search = useCallback(async () => {
    setBusy(true);
    setError(undefined);
    try {
      const result = await api(
        `/console/api/dead-letters?${query({ ...filter, since: toIso(filter.since), until: toIso(filter.until) })}`,
      );
      setLetters(result.deadLetters);
      setSelected(new Set());
    } catch (failure) {
      setError(failure.message);
    } finally {
      setBusy(false);
    }
  }, [filter]);
  useEffect(() => void search(), []);

  const target = () =>
    selected.size
      ? { ids: [...selected] }
      : { ...filter, since: toIso(filter.since) || '1970-01-01T00:00:00Z', until: toIso(filter.until) };

  const dryRun = async () => {
    setError(undefined);
    setJob(undefined);
    try {
      const result = await api('/console/api/dead-letters/replay', {
        method: 'POST',
        body: { ...target(), dryRun: true },
      });
      setPlan({ target: target(), letters: result.deadLetters });
    } catch (failure) {
      setError(failure.message);
    }
  };

  const replay = async () => {
    setError(undefined);
    try {
      let current = await api('/console/api/dead-letters/replay', { method: 'POST', body: plan.target });
      setPlan(undefined);
      setJob(current);
      while (!current.finishedAt) {
        await new Promise((resolve) => setTimeout(resolve, 300));
        current = await api(`/console/api/replays/${current.id}`);
        setJob(current);
      }
      await search();
    } catch (failure) {
      setError(failure.message);
    }
  };

  const inspect = async (id) => {
    try {
      setInspected(await api(`/console/api/dead-letters/${id}`));
    } catch (failure) {
      setError(failure.message);
    }
  };

  const toggle = (id) => {
    const next = new Set(selected);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    setSelected(next);
  };
  const field = (name, type = 'text', placeholder = '') =>
    html`<label
      >${name}
      <input
        type=${type}
        name=${name}
        placeholder=${placeholder}
        value=${filter[name]}
        onInput=${(event) => setFilter({ ...filter, [name]: event.target.value })}
    /></label>`;

  return html`<div>
    <form class="filters" onSubmit=${(event) => (event.preventDefault(), search())}>
      ${field('code', 'text', 'RETRIES_EXHAUSTED')} ${field('topic', 'text', 'lgsp.dossier.status.v1')}
      ${field('since', 'datetime-local')} ${field('until', 'datetime-local')}
      <button type="submit" disabled=${busy}>${busy ? 'Reading…' : 'Find'}</button>
    </form>
    ${error && html`<p class="error" role="alert">${error}</p>`}
    ${
      letters &&
      html`<p class="muted" data-testid="found">${letters.length} dead letter(s)</p>
        <table class="letters">
          <thead>
            <tr>
              <th></th>
              <th>Id</th>
              <th>Failed at</th>
              <th>Reason</th>
              <th>Source topic</th>
              <th>Group</th>
              <th>Key</th>
              <th>Replayed</th>
              <th></th>
            </tr>
          </thead>
          <tbody>
            ${letters.map(
              (l) =>
                html`<tr key=${l.id} data-testid=${`letter-${l.id}`}>
                  <td>
                    <input
                      type="checkbox"
                      aria-label=${`select ${l.id}`}
                      checked=${selected.has(l.id)}
                      onChange=${() => toggle(l.id)}
                    />
                  </td>
                  <td>${l.id}</td>
                  <td>${l.failedAt}</td>
                  <td title=${l.reason}>${l.code}</td>
                  <td>${l.sourceTopic}</td>
                  <td>${l.group}</td>
                  <td>${l.key ?? '–'}</td>
                  <td data-testid="replayed" title=${l.replayed ? `by ${l.replayed.by}` : ''}>
                    ${l.replayed ? `yes, ${new Date(l.replayed.at).toLocaleString()} by ${l.replayed.by}` : 'no'}
                  </td>
                  <td><button class="link" onClick=${() => inspect(l.id)}>Inspect</button></td>
                </tr>`,
            )}
          </tbody>
        </table>
        <p>
          <button onClick=${dryRun} disabled=${!letters.length}>
            Dry run: replay ${selected.size ? `${selected.size} selected` : 'all matching the filter'}
          </button>
        </p>`
    }
    ${
      plan &&
      html`<section class="card wide" data-testid="dry-run">
        <h3>Dry run</h3>
        <p>${plan.letters.length} dead letter(s) would be sent back:</p>
        <ul>
          ${plan.letters.map((l) => html`<li key=${l.id}>${l.id} → ${l.replayTopic} (${l.code}, ${l.key ?? '–'})</li>`)}
        </ul>
        <button onClick=${replay} disabled=${!plan.letters.length}>Replay ${plan.letters.length}</button>
        <button class="secondary" onClick=${() => setPlan(undefined)}>Cancel</button>
      </section>`
    }
    ${
      job &&
      html`<section class="card wide" data-testid="replay">
        <h3>Replay ${job.finishedAt ? 'finished' : 'in progress'}</h3>
        <progress max=${job.total || 1} value=${job.total ? job.done : 1}></progress>
        <span data-testid="progress">${job.done} / ${job.total}</span>
        <table>
          <tbody>
            ${job.results.map(
              (r) =>
                html`<tr key=${r.id}>
                  <td>${r.id}</td>
                  <td>${r.replayTopic}</td>
                  <td data-testid=${`outcome-${r.id}`}>${r.outcome}</td>
                  <td>${r.detail ?? ''}</td>
                </tr>`,
            )}
          </tbody>
        </table>
        <p class="muted">Audited as ${job.operator} (service dlq.replay).</p>
      </section>`
    }
    ${
      inspected &&
      html`<section class="card wide" data-testid="inspect">
        <h3>Dead letter ${inspected.id}</h3>
        <p>${inspected.reason}</p>
        <pre>${JSON.stringify({ headers: inspected.headers, payload: inspected.payload }, null, 2)}</pre>
        <button class="secondary" onClick=${() => setInspected(undefined)}>Close</button>
      </section>`
    }
  </div>`;
}

// ------------------------------------------------------------------------------------ portal sync gaps

const AGES = [
  { seconds: 0, label: 'any time' },
  { seconds: 60, label: 'over a minute ago' },
  { seconds: 600, label: 'over 10 minutes ago' },
  { seconds: 3600, label: 'over an hour ago' },
];

function PortalSyncGaps() {
  const initial = new URLSearchParams(location.hash.split('?')[1] ?? '');
  const [minAge, setMinAge] = useState(initial.get('minAge') ?? '60');
  const [reload, setReload] = useState(0);
  const [queued, setQueued] = useState({});
  const [error, setError] = useState();
  const { data, error: loadError } = usePolling(
    () => api(`/console/api/portal-sync/gaps?${query({ minAge })}`),
    0,
    [minAge, reload],
  );
  const again = async (dossierCode) => {
    setError(undefined);
    try {
      const result = await api('/console/api/portal-sync/again', { method: 'POST', body: { dossierCode } });
      setQueued({ ...queued, [dossierCode]: result });
    } catch (failure) {
      setError(failure.message);
    }
  };
  return html`<div>
    <form class="filters" onSubmit=${(event) => (event.preventDefault(), setReload(reload + 1))}>
      <label
        >Accepted
        <select name="minAge" value=${minAge} onChange=${(e) => setMinAge(e.target.value)}>
          ${AGES.map((a) => html`<option key=${a.seconds} value=${String(a.seconds)}>${a.label}</option>`)}
        </select></label
      >
      <button type="submit">Refresh</button>
    </form>
    ${(error || loadError) && html`<p class="error" role="alert">${error ?? loadError.message}</p>`}
    ${
      data &&
      html`<p class="muted" data-testid="gap-count">
          ${data.gaps.length}${data.truncated ? '+' : ''} dossier(s) whose latest status the portal does not
          have yet, oldest first.
        </p>
        <table class="letters">
          <thead>
            <tr>
              <th>Dossier</th>
              <th>Agency</th>
              <th>Status</th>
              <th>Accepted</th>
              <th>Last synced</th>
              <th>Last failure</th>
              <th>Waiting for retry</th>
              <th></th>
            </tr>
          </thead>
          <tbody>
            ${data.gaps.map(
              (g) =>
                html`<tr key=${g.dossierCode} data-testid=${`gap-${g.dossierCode}`}>
                  <td>${g.dossierCode}</td>
                  <td>${g.agencyCode}</td>
                  <td>${g.status}</td>
                  <td>${new Date(g.acceptedAt).toLocaleString()}</td>
                  <td>${g.lastSyncedAt ? new Date(g.lastSyncedAt).toLocaleString() : 'never'}</td>
                  <td data-testid="last-error">${g.lastError ?? '–'}</td>
                  <td>${g.parked ? 'yes' : 'no'}</td>
                  <td>
                    ${
                      queued[g.dossierCode]
                        ? html`<span data-testid="queued">queued (${queued[g.dossierCode].status})</span>`
                        : html`<button class="link" onClick=${() => again(g.dossierCode)}>Sync again</button>`
                    }
                  </td>
                </tr>`,
            )}
          </tbody>
        </table>
        <p class="muted">Each "sync again" is recorded in the audit log (service portal.sync-again).</p>`
    }
  </div>`;
}

// -------------------------------------------------------------------------------------------- scorecard

function previousMonth() {
  const now = new Date();
  const d = new Date(now.getFullYear(), now.getMonth() - 1, 1);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}`;
}

function Scorecard() {
  const initial = new URLSearchParams(location.hash.split('?')[1] ?? '');
  const [period, setPeriod] = useState(initial.get('period') ?? previousMonth());
  const [agency, setAgency] = useState(initial.get('agency') ?? '');
  const { data, error } = usePolling(() => api(`/console/api/scorecard?${query({ period, agency })}`), 0, [
    period,
    agency,
  ]);
  return html`<div>
    <form class="filters" onSubmit=${(event) => event.preventDefault()}>
      <label
        >Month <input type="month" name="period" value=${period} onChange=${(e) => setPeriod(e.target.value)}
      /></label>
      <label
        >Agency
        <select
          name="agency"
          value=${data?.agencyCode ?? agency}
          onChange=${(e) => setAgency(e.target.value)}
        >
          ${(data?.agencies ?? []).map((a) => html`<option key=${a} value=${a}>${a}</option>`)}
        </select></label
      >
    </form>
    ${error && html`<p class="error" role="alert">${error.message}</p>`}
    ${data && !data.scores && html`<p data-testid="no-scores">No dossiers for this agency in ${data.period.key}.</p>`}
    ${
      data?.scores &&
      html`<div class="grid">
        <section class="card wide" data-testid="scores">
          <h3>
            ${data.agencyCode} — ${data.period.key}
            <span class="total"
              >total <strong data-testid="score-total">${data.scores.total}</strong> / 100</span
            >
          </h3>
          <p class="muted">
            Scored as the portal scores it (<code>${data.formulaVersion}</code>):${' '}
            <span data-testid="measured-max">${data.measuredMax.total}</span> of the 100 points are measured
            here; the rest need data the gateway does not hold.
          </p>
          ${data.groups.map(
            ({ group: code, title, maxPoints: max, measuredMaxPoints, criteria }) =>
              html`<details class="group" key=${code} data-testid=${`score-${code}`}>
                <summary class="bar">
                  <span class="label">${code} <small>${title}</small></span>
                  <span class="track"
                    ><span class="fill" style=${`width:${(100 * data.scores[code]) / max}%`}></span
                  ></span>
                  <span class="value" data-testid="value">${data.scores[code]}</span
                  ><small>/ ${max}${measuredMaxPoints < max ? ` (${measuredMaxPoints} measured)` : ''}</small>
                </summary>
                <table>
                  <tbody>
                    ${criteria.map(
                      (c) =>
                        html`<tr key=${c.code} data-testid=${`criterion-${c.code}`}>
                          <td title=${c.formula}>${c.code} ${c.title}</td>
                          <td data-testid="points">
                            ${c.measured ? `${c.points} / ${c.maxPoints}` : 'not measured here'}
                          </td>
                          <td>${c.measured ? `${c.numerator} / ${c.denominator}` : ''}</td>
                        </tr>`,
                    )}
                  </tbody>
                </table>
              </details>`,
          )}
        </section>
        <section class="card" data-testid="counts">
          <h3>Raw counts</h3>
          <table>
            <tbody>
              ${Object.entries(data.counts).map(
                ([name, value]) =>
                  html`<tr key=${name}>
                    <td>${name}</td>
                    <td data-testid=${`count-${name}`}>${value}</td>
                  </tr>`,
              )}
            </tbody>
          </table>
        </section>
        <section class="card">
          <h3>Trend</h3>
          <${Chart}
            title="Total score by month"
            width=${360}
            height=${180}
            times=${data.trend.map((p) => Date.parse(`${p.period}-01T00:00:00Z`) / 1000)}
            series=${[{ label: 'total', values: data.trend.map((p) => p.scores?.total ?? null), color: '#2a7ab0' }]}
          />
        </section>
        <${DossiersBehind} agency=${data.agencyCode} period=${data.period.key} />
      </div>`
    }
  </div>`;
}

const BEHIND = [
  { kind: 'late', label: 'Resolved late' },
  { kind: 'not-synced', label: 'Not synced to the portal' },
  { kind: 'not-digitised', label: 'Not digitised' },
];

const day = (iso) => (iso ? iso.slice(0, 10) : '–');
const digitised = (d) =>
  `${d.intakeDigitised ? 'yes' : 'no'} / ${d.resolvedAt ? (d.resultDigitised ? 'yes' : 'no') : '–'}`;

function DossiersBehind({ agency, period }) {
  const [kind, setKind] = useState();
  const [result, setResult] = useState();
  const [error, setError] = useState();
  const show = async (next) => {
    setKind(next);
    setError(undefined);
    try {
      setResult(await api(`/console/api/scorecard/dossiers?${query({ agency, period, kind: next })}`));
    } catch (failure) {
      setError(failure.message);
    }
  };
  return html`<section class="card wide" data-testid="behind">
    <h3>The dossiers behind a number</h3>
    <p>
      ${BEHIND.map(
        (b) =>
          html`<button
            key=${b.kind}
            class=${kind === b.kind ? '' : 'secondary'}
            onClick=${() => show(b.kind)}
          >
            ${b.label}
          </button> `,
      )}
    </p>
    ${error && html`<p class="error" role="alert">${error}</p>`}
    ${
      result &&
      result.kind === kind &&
      html`<p data-testid="behind-count">
          ${result.dossiers.length}${result.truncated ? '+' : ''} dossier(s)
        </p>
        <table>
          <thead>
            <tr>
              <th>Dossier</th>
              <th>Received</th>
              <th>Due</th>
              <th>Resolved</th>
              <th>Digitised (intake / result)</th>
              ${kind === 'not-synced' && html`<th>Last synced</th>`}
            </tr>
          </thead>
          <tbody>
            ${result.dossiers.map(
              (d) =>
                html`<tr key=${d.dossierCode} data-testid="behind-row">
                  <td data-testid="code">${d.dossierCode}</td>
                  <td>${day(d.receivedAt)}</td>
                  <td>${day(d.dueAt)}</td>
                  <td>${day(d.resolvedAt)}</td>
                  <td>${digitised(d)}</td>
                  ${kind === 'not-synced' && html`<td>${d.lastSyncedAt ? day(d.lastSyncedAt) : 'never'}</td>`}
                </tr>`,
            )}
          </tbody>
        </table>`
    }
  </section>`;
}

// --------------------------------------------------------------------------------------------- certificates

function CertificatesPage() {
  const { data, error } = usePolling(() => api('/console/api/certificates'), 0);
  if (!data) return html`<p>${error ? error.message : 'Loading…'}</p>`;
  return html`<div>
    <section class="card wide" data-testid="certificates">
      <h3>Certificates in use, soonest to expire first</h3>
      <table>
        <thead>
          <tr>
            <th>Source</th>
            <th>Use</th>
            <th>Subject</th>
            <th>Issuer</th>
            <th>Valid to</th>
            <th>Days to expiry</th>
          </tr>
        </thead>
        <tbody>
          ${data.certificates.map(
            (c, i) =>
              html`<tr key=${i} data-testid=${`certificate-${c.source}`}>
                <td>${c.source}${c.inMetrics ? '' : ' *'}</td>
                <td data-testid="use">${c.use}</td>
                <td data-testid="subject">${c.subject}</td>
                <td>${c.issuer}</td>
                <td>${c.validTo.slice(0, 10)}</td>
                <td data-testid="days" class=${c.daysToExpiry < 30 ? 'error' : ''}>${c.daysToExpiry}</td>
              </tr>`,
          )}
        </tbody>
      </table>
      <p class="muted">
        * loaded by the gateway without a setting naming its file (the development PKI in PKI_DIR): not in the
        lgsp_certificate_not_after_timestamp_seconds metric.
      </p>
    </section>
    <section class="card wide" data-testid="signing-keys">
      <h3>Signing keys</h3>
      <table>
        <thead>
          <tr>
            <th>Source</th>
            <th>Use</th>
            <th>Algorithm</th>
            <th>Key id (SHA-256 of the public key)</th>
          </tr>
        </thead>
        <tbody>
          ${data.signingKeys.map(
            (k, i) =>
              html`<tr key=${i} data-testid=${`key-${k.source}`}>
                <td>${k.source}</td>
                <td>${k.use}</td>
                <td>${k.algorithm}</td>
                <td data-testid="key-id"><code>${k.keyId}</code></td>
              </tr>`,
          )}
        </tbody>
      </table>
    </section>
  </div>`;
}

// ------------------------------------------------------------------------------------- data protection

// one string each: htm drops the whitespace of a line break between text and an expression
function checkedText(data) {
  const range = data.from
    ? ` (seq ${data.from} to ${data.to}, ${data.whole ? 'the whole chain' : 'the newest'})`
    : '';
  return `${data.checked} record(s) checked${range} at ${new Date(data.at).toLocaleTimeString()}.`;
}

function checkpointText(data) {
  const c = data.lastVerifiedCheckpoint;
  return (
    `, signed ${new Date(c.createdAt).toLocaleString()} by key ${c.keyId.slice(0, 16)}…; ` +
    `${data.recordsAfterCheckpoint} record(s) after it, covered by the hash chain until the next one.`
  );
}

function ChainStatus() {
  const { data, error } = usePolling(() => api('/console/api/data-protection/audit-chain'), 0);
  if (!data) return html`<p>${error ? error.message : 'Verifying the audit chain…'}</p>`;
  const checkpoint = data.lastVerifiedCheckpoint;
  return html`<section class="card wide" data-testid="audit-chain">
    <header>
      <h3>Audit chain</h3>
      <span class=${`badge ${data.ok ? 'up' : 'down'}`} data-testid="chain-status"
        >${data.ok ? 'intact' : 'broken'}</span
      >
    </header>
    <p data-testid="chain-checked">${checkedText(data)}</p>
    ${data.failure && html`<p class="error" data-testid="chain-failure">First bad position: seq ${data.failure.seq} (${data.failure.reason}): ${data.failure.message}</p>`}
    ${
      checkpoint
        ? html`<p data-testid="checkpoint">
            ${'Last verified checkpoint: seq '}<strong data-testid="checkpoint-seq">${checkpoint.seq}</strong
            >${checkpointText(data)}
          </p>`
        : html`<p data-testid="checkpoint">
            ${data.signing ? 'No verified checkpoint yet.' : 'Audit signing is off: no checkpoints to verify.'}
          </p>`
    }
  </section>`;
}

function DataProtection() {
  const [personalId, setPersonalId] = useState('');
  const [result, setResult] = useState();
  const [error, setError] = useState();
  const [busy, setBusy] = useState(false);
  const search = async (event) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      // in the body of a POST, never in the URL
      setResult(await api('/console/api/data-protection/lookups', { method: 'POST', body: { personalId } }));
    } catch (failure) {
      setError(failure.message);
    } finally {
      setBusy(false);
    }
  };
  return html`<div>
    <form class="filters" onSubmit=${search}>
      <label
        >Personal ID
        <input
          name="personalId"
          autocomplete="off"
          inputmode="numeric"
          maxlength="12"
          value=${personalId}
          onInput=${(e) => setPersonalId(e.target.value)}
      /></label>
      <button type="submit" disabled=${busy}>${busy ? 'Searching…' : 'Who looked up this person'}</button>
    </form>
    <p class="muted">
      The search is recorded in the audit log (service audit.subjects), in this person's history too.
    </p>
    ${error && html`<p class="error" role="alert">${error}</p>`}
    ${
      result &&
      html`<section class="card wide" data-testid="subject-records">
        <h3>${result.records.length}${result.truncated ? '+' : ''} record(s), newest first</h3>
        <table>
          <thead>
            <tr>
              <th>When</th>
              <th>Client</th>
              <th>Service</th>
              <th>Purpose</th>
              <th>Dossier</th>
              <th>Outcome</th>
              <th>Match</th>
            </tr>
          </thead>
          <tbody>
            ${result.records.map(
              (r) =>
                html`<tr key=${r.seq} data-testid="subject-record">
                  <td>${new Date(r.occurredAt).toLocaleString()}</td>
                  <td data-testid="client">${r.clientId}</td>
                  <td data-testid="service">${r.service}</td>
                  <td data-testid="purpose">${r.purpose ?? '–'}</td>
                  <td data-testid="dossier">${r.dossierCode ?? '–'}</td>
                  <td>${r.outcome}${r.outcomeCode ? ` (${r.outcomeCode})` : ''}</td>
                  <td>${r.match}</td>
                </tr>`,
            )}
          </tbody>
        </table>
      </section>`
    }
    <${ChainStatus} />
  </div>`;
}

// ------------------------------------------------------------------------------------------------ shell

function roleRequired(role) {
  return role === 'OPERATOR' ? 'These pages need the OPERATOR role.' : `This page needs the ${role} role.`;
}

function App() {
  const [session, setSession] = useState();
  const [checked, setChecked] = useState(false);
  const page = usePage();
  useEffect(() => {
    api('/console/session')
      .then((current) => {
        setCsrfToken(current.csrfToken);
        setSession(current);
      })
      .catch(() => undefined)
      .finally(() => setChecked(true));
  }, []);
  if (!checked) return html`<p>…</p>`;
  if (!session) return html`<${SignIn} onSignedIn=${(s) => (setCsrfToken(s.csrfToken), setSession(s))} />`;
  const signOut = async () => {
    await api('/console/session', { method: 'DELETE' }).catch(() => undefined);
    setCsrfToken('');
    setSession(undefined);
  };
  const allowed = PAGES.filter((p) => session.roles.includes(p.role));
  const current = PAGES.find((p) => p.id === page) ?? allowed[0] ?? PAGES[0];
  return html`<div class="shell">
    <nav>
      <strong>Liên Thông</strong>
      ${allowed.filter((p) => !p.hidden).map((p) => html`<a key=${p.id} href=${`#/${p.id}`} class=${p.id === current.id ? 'active' : ''}>${p.title}</a>`)}
      <span class="who" data-testid="who">${session.name} (${session.clientId})</span>
      <button class="secondary" onClick=${signOut}>Sign out</button>
    </nav>
    <main>
      <h2>${current.title}</h2>
      ${
        !session.roles.includes(current.role)
          ? html`<p class="error" data-testid="role-required">${roleRequired(current.role)}</p>`
          : current.id === 'data-protection'
            ? html`<${DataProtection} />`
            : current.id === 'certificates'
              ? html`<${CertificatesPage} />`
              : current.id === 'overview'
                ? html`<${Overview} />`
                : current.id === 'dead-letters'
                  ? html`<${DeadLetters} />`
                  : current.id === 'upstream'
                    ? html`<${UpstreamDetail} />`
                    : current.id === 'portal-sync'
                      ? html`<${PortalSyncGaps} />`
                      : html`<${Scorecard} />`
      }
    </main>
  </div>`;
}

addEventListener('unhandledrejection', (event) => {
  if (event.reason instanceof ApiError && event.reason.status === 401) location.reload();
});

render(html`<${App} />`, document.getElementById('app'));
