/* wa-handoff: the embeddable widget. Readable source; `make widget` builds the served static/widget.js. */
/* global CLICK_IDS: the build defines it from click_ids.py, the one list of click-id names. */
(() => {
  const script = document.currentScript;
  const settings = script.dataset;
  const endpoint = new URL('c/' + settings.site, script.src);
  const clickIdNames = new Set(CLICK_IDS.map((name) => name.toLowerCase()));
  const memory = {};
  let consentGiven = settings.consent !== 'required';

  function isTracked(name) {
    return /^utm_./i.test(name) || clickIdNames.has(name.toLowerCase());
  }

  // Blocked storage, or no consent yet: memory only.
  function remember(area, key, value) {
    if (value) {
      memory[key] = value;
    }
    try {
      const storage = window[area];
      if (consentGiven && memory[key]) {
        storage[key] = memory[key];
      }
      return (consentGiven && storage[key]) || memory[key];
    } catch {
      return memory[key];
    }
  }

  function forget() {
    try {
      delete window.localStorage.wah_d;
      delete window.sessionStorage.wah_t;
    } catch {}
  }

  // The landing page's campaign, kept for the visit so a click on another page still carries it.
  function keepLandingCampaign() {
    const found = {};
    for (const [name, value] of new URLSearchParams(location.search)) {
      if (value && isTracked(name) && !(name in found)) {
        found[name] = value;
      }
    }
    if (Object.keys(found).length > 0) {
      remember('sessionStorage', 'wah_t', JSON.stringify({ p: found, r: document.referrer }));
    }
  }

  function clickUrl() {
    const page = new URL(location.href);
    let touch = {};
    try {
      touch = JSON.parse(remember('sessionStorage', 'wah_t')) || {};
    } catch {}
    for (const name in touch.p) {
      if (!page.searchParams.has(name)) {
        page.searchParams.set(name, touch.p[name]);
      }
    }
    let deviceId = remember('localStorage', 'wah_d');
    if (!deviceId) {
      deviceId = crypto.getRandomValues(new Uint32Array(4)).join('-');
      remember('localStorage', 'wah_d', deviceId);
    }
    const referrer = 'r' in touch ? touch.r : document.referrer;
    endpoint.search = new URLSearchParams({ device_id: deviceId, url: page.href, ref: referrer });
    return endpoint;
  }

  function isHttp(url) {
    return /^https?:\/\//.test(url);
  }

  // A tab opened later than the click itself is a popup to block, so it is opened at once.
  function handoff(trigger) {
    const ownLink = trigger && /^http/.test(trigger.href) && trigger.href;
    const fallback = ownLink || 'https://wa.me/' + (settings.number || '').replace(/\D/g, '');
    const tab = !/Mobi|Android/i.test(navigator.userAgent) && window.open('', '_blank');
    let done = false;
    try {
      tab.opener = null;
    } catch {}
    function go(url) {
      if (!done) {
        done = true;
        (tab || window).location.href = isHttp(url) ? url : fallback;
      }
    }
    setTimeout(go, 1500);
    fetch(clickUrl(), { headers: { Accept: 'application/json' } })
      .then((response) => response.json())
      .then((answer) => go(answer.whatsapp_url), go);
  }

  function command(name, argument) {
    if (name === 'open') {
      handoff();
    }
    if (name === 'consent') {
      consentGiven = !!argument;
      if (consentGiven) {
        remember('localStorage', 'wah_d');
        remember('sessionStorage', 'wah_t');
      } else {
        forget();
      }
    }
  }

  const STYLE =
    ':host{position:fixed;bottom:20px;z-index:2147483647}' +
    'button{display:flex;align-items:center;gap:8px;min-height:48px;padding:0 20px;border:0;border-radius:24px;' +
    'background:var(--bg);color:var(--fg);font:600 16px sans-serif;cursor:pointer}' +
    'button:focus-visible{outline:3px solid #1a73e8;outline-offset:3px}svg{width:24px;fill:currentColor}' +
    '@media (prefers-reduced-motion:no-preference){button{transition:transform .2s}button:hover{transform:scale(1.06)}}';
  const ICON = 'M12 2a10 10 0 0 0-8.7 14.9L2 22l5.3-1.3A10 10 0 1 0 12 2z';

  // A constructed sheet, which a strict style-src allows.
  function mount() {
    const host = document.createElement('div');
    const root = host.attachShadow({ mode: 'open' });
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(STYLE);
    root.adoptedStyleSheets = [sheet];
    host.style.setProperty(settings.position === 'left' ? 'left' : 'right', '20px');
    host.style.setProperty('--bg', settings.color || '#075e54');
    host.style.setProperty('--fg', settings.textColor || '#fff');

    const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
    svg.setAttribute('viewBox', '0 0 24 24');
    const path = document.createElementNS(svg.namespaceURI, 'path');
    path.setAttribute('d', ICON);
    svg.append(path);
    const button = document.createElement('button');
    button.append(svg, settings.label || 'Chat on WhatsApp');
    button.onclick = () => handoff();
    root.append(button);
    document.body.append(host);
  }

  function start() {
    keepLandingCampaign();
    if (settings.selector) {
      document.addEventListener('click', (event) => {
        const trigger = event.target.closest(settings.selector);
        if (trigger) {
          event.preventDefault();
          handoff(trigger);
        }
      });
    } else if (document.body) {
      mount();
    } else {
      document.addEventListener('DOMContentLoaded', mount);
    }
    const queued = (window.waHandoff && window.waHandoff.q) || [];
    window.waHandoff = command;
    for (const call of queued) {
      command(...call);
    }
  }

  start();
})();
