// The peerz explorer: reads the node it is served by through CometBFT's JSON-RPC (the same origin,
// no other host) and follows new blocks and txs over its /websocket (CometBFT's subscribe).
'use strict';
(() => {
  const MAX_BLOCKS = 20;
  const MAX_TXS = 25;
  const MAX_JOBS = 20;
  const MAX_SUBNETS = 20;
  // "/" or, behind a proxy that serves the node under a prefix, "/prefix/".
  const base = location.pathname.replace(/explorer\/[^/]*$/, '');
  const rpcUrl = location.origin + base;
  const $ = (sel) => document.querySelector(sel);

  const esc = (s) =>
    String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
  const short = (h) => (h && h.length > 16 ? h.slice(0, 10) + '…' + h.slice(-4) : h || '');
  const mono = (full) => `<span class="mono" title="${esc(full)}">${esc(short(full))}</span>`;
  const time = (t) => (t ? new Date(t).toLocaleTimeString() : '');

  let rpcId = 0;
  async function rpc(method, params) {
    const r = await fetch(rpcUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: ++rpcId, method, params: params || {} }),
    });
    const j = await r.json();
    if (j.error) {
      throw new Error(`${method}: ${j.error.data || j.error.message}`);
    }
    return j.result;
  }

  function fromBase64(s) {
    const bin = atob(s || '');
    const out = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) {
      out[i] = bin.charCodeAt(i);
    }
    return out;
  }

  /** A committed-state query's JSON answer, or null when the path has none. */
  async function query(path) {
    const r = await rpc('abci_query', { path });
    if (Number(r.response.code) !== 0) {
      return null;
    }
    return JSON.parse(new TextDecoder().decode(fromBase64(r.response.value)));
  }

  function showError(e) {
    $('#error').textContent = e ? String(e.message || e) : '';
  }

  // ---- blocks and txs

  let latest = 0;

  function addBlock(b, fresh) {
    const tbody = $('#blocks tbody');
    if (tbody.querySelector(`tr[data-height="${b.height}"]`)) {
      return;
    }
    const tr = document.createElement('tr');
    tr.dataset.height = b.height;
    if (fresh) {
      tr.className = 'new';
    }
    tr.innerHTML =
      `<td><a href="${esc(base)}block?height=${esc(b.height)}">${esc(b.height)}</a></td>` +
      `<td>${esc(time(b.time))}</td><td>${esc(b.txs)}</td><td>${esc(b.size)}</td><td>${mono(b.proposer)}</td>`;
    // Newest first, whatever order they arrive in.
    let before = null;
    for (const row of tbody.rows) {
      if (Number(row.dataset.height) < Number(b.height)) {
        before = row;
        break;
      }
    }
    tbody.insertBefore(tr, before);
    while (tbody.rows.length > MAX_BLOCKS) {
      tbody.deleteRow(-1);
    }
    if (Number(b.height) > latest) {
      latest = Number(b.height);
      $('#height').textContent = `height ${latest}`;
    }
  }

  function blockOfMeta(m) {
    return {
      height: m.header.height,
      time: m.header.time,
      txs: m.num_txs,
      size: m.block_size,
      proposer: m.header.proposer_address,
    };
  }

  function attribute(events, type, key) {
    for (const e of events || []) {
      if (e.type === type) {
        for (const a of e.attributes || []) {
          if (a.key === key) {
            return a.value;
          }
        }
      }
    }
    return '';
  }

  function addTx(t, fresh) {
    const tbody = $('#txs tbody');
    if (tbody.querySelector(`tr[data-hash="${t.hash}"]`)) {
      return;
    }
    const tr = document.createElement('tr');
    tr.dataset.hash = t.hash;
    tr.dataset.height = t.height;
    if (fresh) {
      tr.className = 'new';
    }
    const ok = Number(t.code) === 0;
    tr.innerHTML =
      `<td><a class="mono" title="${esc(t.hash)}" href="${esc(base)}tx?hash=0x${esc(t.hash)}">${esc(short(t.hash))}</a></td>` +
      `<td>${esc(t.height)}</td><td>${esc(t.action)}</td><td>${mono(t.sender)}</td>` +
      `<td class="${ok ? 'ok' : 'bad'}" title="${esc(t.log)}">${ok ? 'ok' : 'code ' + esc(t.code)}</td>`;
    let before = null;
    for (const row of tbody.rows) {
      if (Number(row.dataset.height) < Number(t.height)) {
        before = row;
        break;
      }
    }
    tbody.insertBefore(tr, before);
    while (tbody.rows.length > MAX_TXS) {
      tbody.deleteRow(-1);
    }
  }

  async function loadChain() {
    const status = await rpc('status');
    $('#chain').textContent = `${status.node_info.network} · ${status.node_info.moniker}`;
    const h = Number(status.sync_info.latest_block_height);
    if (h < 1) {
      return;
    }
    const chain = await rpc('blockchain', {
      minHeight: String(Math.max(1, h - MAX_BLOCKS + 1)),
      maxHeight: String(h),
    });
    const metas = chain.block_metas || [];
    metas.forEach((m) => addBlock(blockOfMeta(m), false));
    let shown = 0;
    for (const m of metas) {
      if (shown >= MAX_TXS || Number(m.num_txs) === 0) {
        continue;
      }
      const found = await rpc('tx_search', { query: `tx.height=${m.header.height}`, per_page: '100' });
      for (const t of found.txs || []) {
        addTx(
          {
            hash: t.hash,
            height: t.height,
            code: t.tx_result.code,
            log: t.tx_result.log,
            action: attribute(t.tx_result.events, 'message', 'action'),
            sender: attribute(t.tx_result.events, 'message', 'sender'),
          },
          false,
        );
        shown++;
      }
    }
  }

  // ---- committed state: validators, market, subnets

  function rows(sel, html) {
    $(`${sel} tbody`).innerHTML = html || `<tr><td colspan="10" class="muted">none yet</td></tr>`;
  }

  function jobClass(status) {
    if (status === 'verified' || status === 'paid') {
      return 'ok';
    }
    if (['refunded', 'failed', 'disputed', 'cancelled'].includes(status)) {
      return 'bad';
    }
    return 'wait';
  }

  async function loadState() {
    const [consensus, bonds, stats, subnets, pools] = await Promise.all([
      rpc('validators', { per_page: '100' }),
      query('/validators'),
      query('/stats'),
      query('/subnets'),
      query('/pools'),
    ]);

    const byAddress = {};
    for (const v of (bonds && bonds.validators) || []) {
      byAddress[v.address.replace(/^0x/, '').toUpperCase()] = v;
    }
    rows(
      '#validators',
      consensus.validators
        .map((v) => {
          const b = byAddress[v.address.toUpperCase()] || {};
          const state = b.jailed ? '<span class="bad">jailed</span>' : '<span class="ok">active</span>';
          return `<tr data-address="${esc(v.address)}"><td>${mono(v.address)}</td><td>${esc(v.voting_power)}</td>` +
            `<td>${esc(b.bonded || '0')}</td><td>${mono(b.operator || '')}</td><td>${state}</td></tr>`;
        })
        .join(''),
    );

    if (stats) {
      const jobs = Object.entries(stats.jobs)
        .filter(([, n]) => Number(n) > 0)
        .map(([s, n]) => `${s} ${n}`)
        .join(', ');
      const slashes = Object.entries(stats.slashes)
        .filter(([, s]) => Number(s.count) > 0)
        .map(([r, s]) => `${r} ${s.count}`)
        .join(', ');
      $('#stats').innerHTML = [
        ['jobs', jobs || 'none'],
        ['escrow held', stats.escrow],
        ['pools open', stats.pools.open],
        ['executors', stats.executors],
        ['subnets active', stats.subnets.active],
        ['slashes', slashes || 'none'],
      ]
        .map(([k, v]) => `<div><span class="muted">${esc(k)}</span><b>${esc(v)}</b></div>`)
        .join('');
      const next = Number(stats.next_job_id);
      const ids = [];
      for (let id = next - 1; id >= 1 && ids.length < MAX_JOBS; id--) {
        ids.push(id);
      }
      const jobsShown = (await Promise.all(ids.map((id) => query(`/job/${id}`)))).filter((j) => j);
      rows(
        '#jobs',
        jobsShown
          .map(
            (j) =>
              `<tr data-job="${esc(j.id)}"><td>${esc(j.id)}</td><td>${esc(j.pool_id)}</td><td>${esc(j.kind)}</td>` +
              `<td class="${jobClass(j.status)}">${esc(j.status)}</td><td>${mono(j.executor)}</td>` +
              `<td class="wrap">${esc(j.verification)}</td><td>${esc(j.max_budget)}</td><td>${esc(j.escrow)}</td>` +
              `<td>${esc(j.payment)}</td><td>${esc(j.refund)}</td></tr>`,
          )
          .join(''),
      );
    }

    rows(
      '#pools',
      ((pools && pools.pools) || [])
        .map(
          (p) =>
            `<tr data-pool="${esc(p.id)}"><td>${esc(p.id)}</td><td>${esc(p.workload)}</td><td>${esc(p.hardware_class)}</td>` +
            `<td>${esc(p.price)}</td><td>${esc(p.deposit)}</td><td>${esc(p.slots_joined)}/${esc(p.limit)}</td>` +
            `<td>${esc(p.open_jobs)}</td><td>${esc(p.jobs_verified)}</td><td>${p.closed ? 'closed' : 'open'}</td></tr>`,
        )
        .join(''),
    );

    const list = ((subnets && subnets.subnets) || []).slice(0, MAX_SUBNETS);
    const nodes = await Promise.all(list.map((s) => query(`/nodes/${s.id}`)));
    $('#subnets').innerHTML = list.length
      ? list
          .map((s, i) => {
            const ns = ((nodes[i] && nodes[i].nodes) || [])
              .map(
                (n) =>
                  `<tr><td>${esc(n.id)}</td><td>${esc(n.class)}${n.deactivated ? ' (deactivated)' : ''}</td>` +
                  `<td>${mono(n.hotkey)}</td><td>${esc(n.stake)}</td><td class="mono">${esc(short(n.peer_id))}</td></tr>`,
              )
              .join('');
            return `<div class="subnet" data-subnet="${esc(s.id)}"><b>${esc(s.id)}. ${esc(s.name)}</b> ` +
              `<span class="muted">${esc(s.status)}, ${esc(s.active_nodes)} of ${esc(s.node_count)} nodes active</span>` +
              `<table><thead><tr><th>node</th><th>class</th><th>hotkey</th><th>stake</th><th>peer</th></tr></thead>` +
              `<tbody>${ns || '<tr><td colspan="5" class="muted">no nodes</td></tr>'}</tbody></table></div>`;
          })
          .join('')
      : '<p class="muted">none yet</p>';
  }

  // State is read again after new blocks, at most every two seconds.
  let stateTimer = null;
  function refreshState() {
    if (stateTimer) {
      return;
    }
    stateTimer = setTimeout(() => {
      loadState()
        .then(() => showError(null))
        .catch(showError)
        .finally(() => {
          stateTimer = null;
        });
    }, 300);
  }

  // ---- live: CometBFT's subscribe over the websocket

  async function onNewBlock(value) {
    const h = value.block.header.height;
    try {
      const chain = await rpc('blockchain', { minHeight: String(h), maxHeight: String(h) });
      (chain.block_metas || []).forEach((m) => addBlock(blockOfMeta(m), true));
    } catch (e) {
      showError(e);
    }
    refreshState();
  }

  function onTx(value, events) {
    const r = value.TxResult;
    const first = (k) => ((events && events[k]) || [''])[0];
    addTx(
      {
        hash: first('tx.hash'),
        height: r.height,
        code: (r.result && r.result.code) || 0,
        log: (r.result && r.result.log) || '',
        action: first('message.action'),
        sender: first('message.sender'),
      },
      true,
    );
  }

  function setLive(on) {
    const el = $('#live');
    el.dataset.live = String(on);
    el.textContent = on ? '● live' : 'reconnecting…';
  }

  let retry = 1000;
  function connect(reconnecting) {
    const ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${base}websocket`);
    ws.onopen = () => {
      for (const [id, q] of [[1, "tm.event='NewBlock'"], [2, "tm.event='Tx'"]]) {
        ws.send(JSON.stringify({ jsonrpc: '2.0', id, method: 'subscribe', params: { query: q } }));
      }
      retry = 1000;
      setLive(true);
      if (reconnecting) {
        // Blocks may have passed while the socket was down.
        loadChain().catch(showError);
        refreshState();
      }
    };
    ws.onmessage = (m) => {
      const msg = JSON.parse(m.data);
      const data = msg.result && msg.result.data;
      if (!data) {
        return;
      }
      if (data.type === 'tendermint/event/NewBlock') {
        onNewBlock(data.value);
      } else if (data.type === 'tendermint/event/Tx') {
        onTx(data.value, msg.result.events);
      }
    };
    ws.onclose = () => {
      setLive(false);
      setTimeout(() => connect(true), retry);
      retry = Math.min(retry * 2, 15000);
    };
  }

  loadChain()
    .then(() => loadState())
    .then(() => showError(null))
    .catch(showError)
    .finally(() => connect(false));
})();
