/* wa-handoff: the embeddable widget. */
((w, d) => {
  const me = d.currentScript, cfg = me.dataset;
  const endpoint = new URL('c/' + cfg.site, me.src);
  const TRACKED = /^(utm_.+|\w*cl(ic)?k?id|[gw]braid|gclsrc|li_fat_id|sccid|epik|rdt_cid|igshid|mc_cid|wickedid|_kx)$/i;
  const LS = 'localStorage', SS = 'sessionStorage', mem = {};
  let consent = cfg.consent != 'required';

  // Blocked storage, or no consent yet: memory only.
  const store = (area, key, value) => {
    if (value) mem[key] = value;
    try {
      if (consent && mem[key]) w[area][key] = mem[key];
      return (consent && w[area][key]) || mem[key];
    } catch {
      return mem[key];
    }
  };

  const found = {};
  for (const [k, v] of new URLSearchParams(location.search)) if (v && TRACKED.test(k)) found[k] ??= v;
  if (Object.keys(found)[0]) store(SS, 'wah_t', JSON.stringify({ p: found, r: d.referrer }));

  const clickUrl = () => {
    const page = new URL(location.href);
    let touch = {}, id = store(LS, 'wah_d');
    try {
      touch = JSON.parse(store(SS, 'wah_t')) || {};
    } catch {}
    for (const k in touch.p) page.searchParams.has(k) || page.searchParams.set(k, touch.p[k]);
    if (!id) store(LS, 'wah_d', (id = crypto.getRandomValues(new Uint32Array(4)).join('-')));
    endpoint.search = new URLSearchParams({ device_id: id, url: page.href, ref: 'r' in touch ? touch.r : d.referrer });
    return endpoint;
  };

  // A tab opened later than the click itself is a popup to block.
  const handoff = (el) => {
    const fallback = (/^http/.test(el?.href) && el.href) || 'https://wa.me/' + (cfg.number || '').replace(/\D/g, '');
    const tab = !/Mobi|Android/i.test(navigator.userAgent) && w.open('', '_blank');
    let done;
    try {
      tab.opener = null;
    } catch {}
    const go = (url) => {
      if (!done) (tab || w).location.href = done = /^https?:\/\//.test(url) ? url : fallback;
    };
    setTimeout(go, 1500);
    fetch(clickUrl(), { headers: { Accept: 'application/json' } })
      .then((r) => r.json())
      .then((j) => go(j.whatsapp_url), go);
  };

  const api = (cmd, arg) => {
    if (cmd == 'open') handoff();
    if (cmd == 'consent') {
      consent = !!arg;
      if (consent) store(LS, 'wah_d'), store(SS, 'wah_t');
      else
        try {
          delete w[LS].wah_d, delete w[SS].wah_t;
        } catch {}
    }
  };

  // A strict style-src allows a constructed sheet.
  const mount = () => {
    const host = d.createElement('div'), root = host.attachShadow({ mode: 'open' });
    const button = d.createElement('button'), sheet = new CSSStyleSheet();
    const svg = d.createElementNS('http://www.w3.org/2000/svg', 'svg');
    sheet.replaceSync(
      ':host{position:fixed;bottom:20px;z-index:2147483647}' +
        'button{display:flex;align-items:center;gap:8px;min-height:48px;padding:0 20px;border:0;border-radius:24px;' +
        'background:var(--bg);color:var(--fg);font:600 16px sans-serif;cursor:pointer}' +
        'button:focus-visible{outline:3px solid #1a73e8;outline-offset:3px}svg{width:24px;fill:currentColor}' +
        '@media (prefers-reduced-motion:no-preference){button{transition:transform .2s}button:hover{transform:scale(1.06)}}'
    );
    root.adoptedStyleSheets = [sheet];
    host.style.setProperty(cfg.position == 'left' ? 'left' : 'right', '20px');
    host.style.setProperty('--bg', cfg.color || '#075e54');
    host.style.setProperty('--fg', cfg.textColor || '#fff');
    svg.setAttribute('viewBox', '0 0 24 24');
    svg.appendChild(d.createElementNS(svg.namespaceURI, 'path')).setAttribute('d', 'M12 2a10 10 0 0 0-8.7 14.9L2 22l5.3-1.3A10 10 0 1 0 12 2z');
    button.append(svg, cfg.label || 'Chat on WhatsApp');
    button.onclick = () => handoff();
    root.append(button);
    d.body.append(host);
  };

  if (cfg.selector)
    d.addEventListener('click', (e) => {
      const el = e.target.closest(cfg.selector);
      if (el) e.preventDefault(), handoff(el);
    });
  else if (d.body) mount();
  else d.addEventListener('DOMContentLoaded', mount);

  const queue = w.waHandoff?.q || [];
  w.waHandoff = api;
  for (const args of queue) api(...args);
})(window, document);
