/* wa-handoff: the embeddable widget. Readable source; `make widget` builds the served static/widget.js. */
/* global TRACKED: the build defines it, UTMs and the click ids of click_ids.py (the one list of names). */
(() => {
  // One widget however often the tag is loaded (a theme and a tag manager may both add it).
  const LOADED = Symbol.for('wa-handoff');
  if (window[LOADED]) {
    return;
  }
  window[LOADED] = true;

  // Each step is guarded on its own: a page's broken globals may cost the campaign, never the button.
  function attempt(step, argument) {
    try {
      return step(argument);
    } catch {}
  }

  const script = document.currentScript;
  const settings = script.dataset;
  const consentMode = settings.consent === 'required';
  const memory = {};
  let consentGiven = !consentMode;
  let hiddenByPage = false;
  let host;

  // The campaign parameters of a query string, first value of each name winning; nothing else.
  function trackedParams(search) {
    const kept = new URLSearchParams();
    new URLSearchParams(search).forEach((value, name) => {
      if (value && TRACKED.test(name) && !kept.has(name)) {
        kept.append(name, value);
      }
    });
    return kept;
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
    delete window.localStorage.wah_d;
    delete window.sessionStorage.wah_t;
  }

  // The referrer as its origin only, and only when it is another site: a path can hold secrets.
  function referrerOrigin() {
    const origin = new URL(document.referrer).origin; // throws on no referrer
    return origin !== location.origin ? origin + '/' : '';
  }

  // A site may strip the campaign with history.replaceState before this async tag runs;
  // the navigation entry still has the address the visitor landed on.
  function landingSearch() {
    return new URL(performance.getEntriesByType('navigation')[0].name).search.slice(1);
  }

  // A landing with a campaign is a touch, kept for the visit; the last touch wins whole.
  function keepLandingTouch() {
    const touch = trackedParams(location.search + '&' + (attempt(landingSearch) || ''));
    if (String(touch)) {
      touch.set('ref', attempt(referrerOrigin) || '');
      remember('sessionStorage', 'wah_t', String(touch));
    }
  }

  function cookie(name) {
    const found = ('; ' + document.cookie).split('; ' + name + '=')[1];
    return found ? found.split(';')[0] : '';
  }

  function deviceId() {
    return (
      remember('localStorage', 'wah_d') ||
      remember('localStorage', 'wah_d', crypto.getRandomValues(new Uint32Array(4)).join('-'))
    );
  }

  // The click link: this page's origin and path with the campaign, never its fragment or secrets.
  function clickLink() {
    // The page's own campaign first, then what the visit's touch adds (its `ref` is not tracked).
    const touch = remember('sessionStorage', 'wah_t') || '';
    // An empty query leaves a bare `?`, which the server drops with the rest of the trimming.
    const link = new URLSearchParams({
      device_id: deviceId(),
      url: location.href.split(/[?#]/)[0] + '?' + trackedParams(location.search + '&' + touch),
      ref: (touch ? new URLSearchParams(touch).get('ref') : attempt(referrerOrigin)) || '',
      consent: consentMode ? (consentGiven ? 'granted' : 'denied') : 'unknown',
    });
    if (consentGiven) {
      // The ad platforms' first-party cookies _fbp, _fbc and _ga, for the conversions they send.
      for (const name of ['fbp', 'fbc', 'ga']) {
        const value = attempt(cookie, '_' + name);
        if (value) {
          link.set(name, value);
        }
      }
    }
    return bareLink() + '?' + link;
  }

  // Built from strings alone, so it stands when the page broke URL or URLSearchParams: still
  // a reference and a 302 to WhatsApp, without the campaign.
  function bareLink() {
    return script.src.replace(/[^/]*$/, 'c/' + settings.site);
  }

  // A blank tab of this page's origin, cut from this page (a sandboxed page's tab refuses that).
  function openTab() {
    const tab = window.open('', '_blank');
    attempt(() => {
      tab.opener = null;
    });
    return tab;
  }

  // Straight to /c/, which answers 302 to WhatsApp: no request the page can wrap or block.
  // A tab opened later than the click itself is a popup to block, so it is opened at once.
  function handoff(event) {
    if (event && event.detail > 1) {
      return; // the second click of a double click
    }
    const target = attempt(clickLink) || bareLink();
    const tab = !/Mobi|Android/i.test(navigator.userAgent) && attempt(openTab);
    (tab || window).location.href = target;
  }

  // Out of the way while the page shows a modal dialog, and back if a page swap removed it.
  function update() {
    if (!host.isConnected) {
      document.documentElement.append(host);
    }
    const dialogs = document.querySelectorAll('[aria-modal="true"]');
    const modal = [].some.call(dialogs, (dialog) => dialog.getClientRects().length);
    // Only a change: setting the attribute again would wake this observer forever.
    if (host.hidden !== (hiddenByPage || modal)) {
      host.hidden = hiddenByPage || modal;
    }
  }

  function command(name, argument) {
    if (name === 'open') {
      handoff();
    }
    if (name === 'hide' || name === 'show') {
      hiddenByPage = name === 'hide';
      attempt(update);
    }
    if (name === 'consent') {
      consentGiven = !!argument;
      if (consentGiven) {
        remember('localStorage', 'wah_d');
        remember('sessionStorage', 'wah_t');
      } else {
        attempt(forget);
      }
    }
  }

  // :host rules are !important, which beats any page rule, `* { all: unset !important }` included;
  // all:initial resets the rest, top and the other side included (position:fixed makes it a block).
  function style() {
    const side = settings.position === 'left' ? 'left' : 'right';
    return (
      ':host{all:initial!important;position:fixed!important;' +
      'z-index:' + (settings.zIndex || 999) + '!important;' +
      'bottom:calc(' + (settings.bottom || '20px') + ' + env(safe-area-inset-bottom))!important;' +
      side + ':calc(' + (settings.side || '20px') + ' + env(safe-area-inset-' + side + '))!important}' +
      ':host([hidden]){display:none!important}' +
      '@media print{:host{display:none!important}}' +
      // A transparent border turns into a visible boundary in forced colours.
      'button{display:flex;align-items:center;min-height:48px;padding:0 12px;' +
      'border:2px solid transparent;border-radius:24px;font:600 16px sans-serif;cursor:pointer;' +
      'background:' + (settings.color || '#075e54') + ';color:' + (settings.textColor || '#fff') + '}' +
      'button:focus-visible{outline:3px solid #1a73e8;outline-offset:3px}' +
      'svg{width:24px;height:24px;margin:0 8px;fill:currentColor}' +
      // Icon only on narrow screens; the label stays the accessible name.
      '@media (max-width:480px){button{padding:0 4px}span{width:0;overflow:hidden}}'
    );
  }

  const ICON = 'M12 2a10 10 0 0 0-8.7 14.9L2 22l5.3-1.3A10 10 0 1 0 12 2z';

  // A custom element on <html>, beside <body>: body transforms, body swaps and `div` rules miss it.
  // Its styles are a constructed sheet, which a strict style-src allows.
  function mount() {
    host = document.createElement('wa-handoff');
    const root = host.attachShadow({ mode: 'open' });
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(style());
    root.adoptedStyleSheets = [sheet];

    const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
    svg.setAttribute('aria-hidden', 'true');
    const path = document.createElementNS(svg.namespaceURI, 'path');
    path.setAttribute('d', ICON);
    svg.append(path);
    const label = document.createElement('span');
    label.textContent = settings.label || 'Chat on WhatsApp';
    const button = document.createElement('button');
    button.append(svg, label);
    button.onclick = handoff;
    root.append(button);
    document.documentElement.append(host);
    attempt(update);
    const watch = { childList: true, subtree: true, attributes: true };
    new MutationObserver(() => attempt(update)).observe(document.documentElement, watch);
  }

  function preconnect() {
    const link = document.createElement('link');
    link.rel = 'preconnect';
    link.href = script.src; // a preconnect uses only the origin
    document.head.append(link);
  }

  function listenToTriggers() {
    document.addEventListener('click', (event) => {
      const trigger = event.target.closest(settings.selector);
      if (trigger) {
        event.preventDefault();
        handoff(event);
      }
    });
  }

  // The documented queue stub, or nothing: any other window.waHandoff is the page's own.
  function installApi() {
    const existing = window.waHandoff;
    // Testing a function with a regex tests its source, where the stub has its `.q`.
    if (existing && !/\.q\b/.test(existing)) {
      console.warn('wa-handoff: waHandoff is taken');
      return;
    }
    const queued = (existing && existing.q) || [];
    window.waHandoff = command;
    for (const call of queued) {
      attempt(() => command(call[0], call[1]));
    }
  }

  attempt(preconnect);
  attempt(keepLandingTouch);
  if (settings.selector) {
    attempt(listenToTriggers);
  } else if (document.body) {
    attempt(mount);
  } else {
    document.addEventListener('DOMContentLoaded', () => attempt(mount));
  }
  attempt(installApi);
})();
