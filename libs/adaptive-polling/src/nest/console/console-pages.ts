import { CONSOLE_TITLE } from './console-messages';

/* The console's HTML shells: the data comes from its JSON routes, rendered by assets/console.js. */

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function layout(base: string, title: string, body: string, data: Record<string, string>): string {
  const attributes = Object.entries(data)
    .map(([name, value]) => ` data-${name}="${escapeHtml(value)}"`)
    .join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title><link rel="stylesheet" href="${escapeHtml(base)}/assets/console.css"></head>
<body${attributes}>${body}<script src="${escapeHtml(base)}/assets/console.js" defer></script></body></html>
`;
}

function header(base: string, csrf: string): string {
  return `<header><a class="brand" href="${escapeHtml(base)}/">${CONSOLE_TITLE}</a>
<form method="post" action="${escapeHtml(base)}/logout" class="logout"><input type="hidden" name="csrf" value="${escapeHtml(csrf)}"><button type="submit">Sign out</button></form></header>`;
}

export function loginPage(base: string, error: string | null): string {
  const message = error ? `<p class="error" role="alert">${escapeHtml(error)}</p>` : '';
  return layout(
    base,
    `${CONSOLE_TITLE}: sign in`,
    `<main class="login"><h1>${CONSOLE_TITLE}</h1>${message}
<form method="post" action="${escapeHtml(base)}/login">
<label for="token">API token</label><input id="token" name="token" type="password" autocomplete="current-password" required autofocus>
<button type="submit">Sign in</button></form>
<p class="hint">Or <a href="${escapeHtml(base)}/basic">sign in with HTTP Basic</a> (any user name, the API token as the password).</p></main>`,
    { page: 'login', base },
  );
}

export function fleetPage(base: string, csrf: string): string {
  return layout(
    base,
    CONSOLE_TITLE,
    `${header(base, csrf)}<main>
<section id="summary" class="summary" aria-label="summary"></section>
<form id="filters" class="filters">
<input id="search" type="search" placeholder="Search by name" aria-label="search by name">
<select id="type" aria-label="type"><option value="">all types</option></select>
<select id="state" aria-label="state"><option value="">all states</option></select>
<span id="pager" class="pager"><button type="button" id="prev">‹ Prev</button><span id="range"></span><button type="button" id="next">Next ›</button></span>
<span id="live" class="live" title="live updates">●</span>
</form>
<table id="fleet"><thead><tr><th>Type</th><th>Name</th><th>State</th><th>Interval</th><th>Next run</th><th>Last success</th><th>Staleness</th><th>Last error</th></tr></thead><tbody></tbody></table>
</main>`,
    { page: 'fleet', base, csrf },
  );
}

export function targetPage(base: string, csrf: string, key: string): string {
  return layout(
    base,
    `${CONSOLE_TITLE}: ${key}`,
    `${header(base, csrf)}<main>
<p><a href="${escapeHtml(base)}/">‹ Fleet</a></p>
<h1 id="title">${escapeHtml(key)}</h1>
<section id="actions" class="actions">
<button type="button" data-action="pause">Pause</button><button type="button" data-action="resume">Resume</button>
<button type="button" data-action="reset-breaker">Reset breaker</button><button type="button" data-action="retry">Retry</button>
<button type="button" data-action="purge">Purge</button><button type="button" data-action="poll">Poll now</button>
<span id="action-result" role="status"></span></section>
<dl id="facts" class="facts"></dl>
<h2>Interval and poll outcomes</h2><div id="chart"></div>
<p class="legend"><span class="dot changed"></span> changed <span class="dot unchanged"></span> unchanged <span class="dot failed"></span> failed</p>
<h2>Breaker, dead-letter and operator history</h2>
<table id="audit"><thead><tr><th>At</th><th>Action</th><th>Actor</th><th>Detail</th></tr></thead><tbody></tbody></table>
</main>`,
    { page: 'target', base, csrf, key },
  );
}
