// The operator's console in the browser: plain JavaScript, no library.
// Pages are shells; this renders them from the console's JSON routes and
// keeps them live with Server-Sent Events (changed rows only).
'use strict';
(function () {
  var body = document.body;
  var base = body.dataset.base || '';
  var csrf = body.dataset.csrf || '';
  var STATES = ['polling', 'backing_off', 'breaker_open', 'dead_lettered', 'paused'];
  var LABELS = {
    polling: 'polling',
    backing_off: 'backing off',
    breaker_open: 'breaker open',
    dead_lettered: 'dead-lettered',
    paused: 'paused',
  };

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    for (var name in attrs || {}) node.setAttribute(name, attrs[name]);
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function duration(ms) {
    if (ms === null || ms === undefined) return '–';
    var s = Math.round(Math.abs(ms) / 1000);
    if (s < 60) return s + 's';
    if (s < 3600) return Math.floor(s / 60) + 'm' + (s % 60 ? ' ' + (s % 60) + 's' : '');
    return Math.floor(s / 3600) + 'h ' + Math.floor((s % 3600) / 60) + 'm';
  }

  function countdown(iso) {
    if (!iso) return '–';
    var ms = Date.parse(iso) - Date.now();
    return ms <= 0 ? 'due' : 'in ' + duration(ms);
  }

  function ago(iso) {
    if (!iso) return 'never';
    return duration(Date.now() - Date.parse(iso)) + ' ago';
  }

  function getJson(url) {
    return fetch(url, { credentials: 'same-origin', headers: { accept: 'application/json' } }).then(function (r) {
      if (r.status === 401) {
        location.href = base + '/login';
        throw new Error('signed out');
      }
      return r.json();
    });
  }

  function stream(keys, handlers) {
    var query = keys
      .map(function (k) {
        return 'key=' + encodeURIComponent(k);
      })
      .join('&');
    var source = new EventSource(base + '/events?' + query);
    var live = document.getElementById('live');
    source.onopen = function () {
      if (live) live.className = 'live on';
    };
    source.onerror = function () {
      if (live) live.className = 'live';
    };
    for (var name in handlers) {
      source.addEventListener(
        name,
        (function (handler) {
          return function (event) {
            handler(JSON.parse(event.data));
          };
        })(handlers[name]),
      );
    }
    return source;
  }

  function stateBadge(state) {
    return el('span', { class: 'state ' + state, 'data-state': state }, LABELS[state] || state);
  }

  // Next-run countdowns and "ago" times tick once a second, without a request.
  function tickTimes() {
    var cells = document.querySelectorAll('[data-next]');
    for (var i = 0; i < cells.length; i++) cells[i].textContent = countdown(cells[i].getAttribute('data-next'));
    var ages = document.querySelectorAll('[data-ago]');
    for (var j = 0; j < ages.length; j++) ages[j].textContent = ago(ages[j].getAttribute('data-ago'));
  }
  setInterval(tickTimes, 1000);

  function timeCell(tag, attr, iso, render) {
    var cell = el(
      tag,
      iso
        ? (function () {
            var a = {};
            a[attr] = iso;
            return a;
          })()
        : {},
      render(iso),
    );
    return cell;
  }

  /* ---------- fleet page ---------- */

  function fleet() {
    var tbody = document.querySelector('#fleet tbody');
    var search = document.getElementById('search');
    var typeSelect = document.getElementById('type');
    var stateSelect = document.getElementById('state');
    var range = document.getElementById('range');
    var params = new URLSearchParams(location.search);
    var query = {
      q: params.get('q') || '',
      type: params.get('type') || '',
      state: params.get('state') || '',
      offset: Number(params.get('offset')) || 0,
      limit: 100,
    };
    var source = null;
    var knownTypes = '';
    search.value = query.q;
    STATES.forEach(function (s) {
      stateSelect.appendChild(el('option', { value: s }, LABELS[s]));
    });
    stateSelect.value = query.state;

    function row(r) {
      var tr = el('tr', { 'data-key': r.key, 'data-state': r.state });
      tr.appendChild(el('td', {}, r.type));
      var name = el('td');
      var link = el('a', { href: base + '/target?key=' + encodeURIComponent(r.key) }, r.name);
      name.appendChild(link);
      tr.appendChild(name);
      var state = el('td');
      state.appendChild(stateBadge(r.state));
      if (r.running) state.appendChild(el('span', { class: 'running', title: 'polling now' }, ' ⟳'));
      tr.appendChild(state);
      tr.appendChild(el('td', {}, duration(r.intervalMs)));
      tr.appendChild(timeCell('td', 'data-next', r.nextRun, countdown));
      tr.appendChild(timeCell('td', 'data-ago', r.lastSuccess, ago));
      tr.appendChild(el('td', { class: r.staleness >= 1 ? 'stale' : '' }, Math.round(r.staleness * 100) + '%'));
      tr.appendChild(el('td', { class: 'error', title: r.lastError || '' }, r.lastError || ''));
      return tr;
    }

    function summary(s) {
      var box = document.getElementById('summary');
      box.textContent = '';
      box.appendChild(el('span', { class: 'count total' }, s.total + ' targets'));
      STATES.forEach(function (state) {
        var chip = el('a', { href: '#', class: 'count ' + state, 'data-count': state }, s.states[state] + ' ' + LABELS[state]);
        chip.onclick = function (e) {
          e.preventDefault();
          stateSelect.value = query.state === state ? '' : state;
          apply();
        };
        box.appendChild(chip);
      });
      var types = s.types.join(',');
      if (types !== knownTypes) {
        knownTypes = types;
        typeSelect.length = 1;
        s.types.forEach(function (t) {
          typeSelect.appendChild(el('option', { value: t }, t));
        });
        typeSelect.value = query.type;
      }
    }

    function load() {
      var url = new URLSearchParams();
      ['q', 'type', 'state'].forEach(function (k) {
        if (query[k]) url.set(k, query[k]);
      });
      if (query.offset) url.set('offset', String(query.offset));
      history.replaceState(null, '', base + '/' + (url.toString() ? '?' + url : ''));
      url.set('limit', String(query.limit));
      return getJson(base + '/api/fleet?' + url).then(function (page) {
        summary(page.summary);
        var fragment = document.createDocumentFragment();
        page.rows.forEach(function (r) {
          fragment.appendChild(row(r));
        });
        tbody.textContent = '';
        tbody.appendChild(fragment);
        var last = Math.min(page.offset + page.rows.length, page.matching);
        range.textContent = page.matching === 0 ? 'no targets' : page.offset + 1 + '–' + last + ' of ' + page.matching;
        document.getElementById('prev').disabled = page.offset === 0;
        document.getElementById('next').disabled = last >= page.matching;
        body.dataset.loaded = 'true';
        if (source) source.close();
        source = stream(
          page.rows.map(function (r) {
            return r.key;
          }),
          {
            rows: function (rows) {
              rows.forEach(function (r) {
                var old = tbody.querySelector('tr[data-key="' + CSS.escape(r.key) + '"]');
                if (old) old.replaceWith(row(r));
              });
            },
            summary: summary,
          },
        );
      });
    }

    function apply() {
      query.q = search.value.trim();
      query.type = typeSelect.value;
      query.state = stateSelect.value;
      query.offset = 0;
      load();
    }
    var typing = null;
    search.oninput = function () {
      clearTimeout(typing);
      typing = setTimeout(apply, 250);
    };
    typeSelect.onchange = apply;
    stateSelect.onchange = apply;
    document.getElementById('filters').onsubmit = function (e) {
      e.preventDefault();
      apply();
    };
    document.getElementById('prev').onclick = function () {
      query.offset = Math.max(0, query.offset - query.limit);
      load();
    };
    document.getElementById('next').onclick = function () {
      query.offset += query.limit;
      load();
    };
    load();
  }

  /* ---------- target page ---------- */

  function target() {
    var key = body.dataset.key;
    var result = document.getElementById('action-result');

    function fact(dl, name, value) {
      dl.appendChild(el('dt', {}, name));
      var dd = el('dd');
      if (value instanceof Node) dd.appendChild(value);
      else dd.textContent = value === null || value === undefined || value === '' ? '–' : String(value);
      dl.appendChild(dd);
    }

    function render(data) {
      var r = data.row;
      var dl = document.getElementById('facts');
      dl.textContent = '';
      fact(dl, 'State', stateBadge(r.state));
      fact(dl, 'Type', r.type);
      fact(dl, 'Name', r.displayName && r.displayName !== r.name ? r.name + ' (' + r.displayName + ')' : r.name);
      fact(dl, 'Interval', duration(r.intervalMs));
      fact(dl, 'Next run', timeCell('span', 'data-next', r.nextRun, countdown));
      fact(dl, 'Last success', timeCell('span', 'data-ago', r.lastSuccess, ago));
      fact(dl, 'Staleness', Math.round(r.staleness * 100) + '%');
      fact(dl, 'Last error', r.lastError);
      // The chart is SVG text the server built from numbers only.
      document.getElementById('chart').innerHTML = data.chart;
      var tbody = document.querySelector('#audit tbody');
      tbody.textContent = '';
      if (data.audit.length === 0) tbody.appendChild(el('tr')).appendChild(el('td', { colspan: '4' }, 'nothing recorded yet'));
      data.audit.forEach(function (a) {
        var tr = el('tr', { 'data-action': a.action });
        tr.appendChild(el('td', {}, a.at.replace('T', ' ').slice(0, 19)));
        tr.appendChild(el('td', {}, a.action));
        tr.appendChild(el('td', {}, a.actor));
        tr.appendChild(el('td', { class: 'detail' }, JSON.stringify(a.detail)));
        tbody.appendChild(tr);
      });
      body.dataset.state = r.state;
      body.dataset.loaded = 'true';
    }

    function load() {
      return getJson(base + '/api/target?key=' + encodeURIComponent(key)).then(function (data) {
        if (data.row) render(data);
        else result.textContent = data.message || 'not found';
      });
    }

    var buttons = document.querySelectorAll('#actions button');
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].onclick = function (e) {
        var action = e.currentTarget.getAttribute('data-action');
        if (!confirm(e.currentTarget.textContent + ' ' + key + '?')) return;
        result.textContent = '…';
        fetch(base + '/api/action', {
          method: 'POST',
          credentials: 'same-origin',
          headers: { 'content-type': 'application/json', 'x-csrf-token': csrf },
          body: JSON.stringify({ action: action, key: key }),
        })
          .then(function (r) {
            return r.json().then(function (json) {
              return { status: r.status, json: json };
            });
          })
          .then(function (answer) {
            var ok = answer.status < 300;
            result.textContent = ok ? action + ': done' : action + ': ' + (answer.json.message || answer.status);
            result.className = ok ? 'ok' : 'error';
            return load();
          });
      };
    }
    load().then(function () {
      stream([key], {
        rows: function () {
          load();
        },
      });
    });
  }

  if (body.dataset.page === 'fleet') fleet();
  if (body.dataset.page === 'target') target();
})();
