(() => {
  const say = (text) => {
    const live = document.getElementById('kw-live');
    if (live) { live.textContent = ''; setTimeout(() => { live.textContent = text; }, 50); }
  };
  const copy = async (text) => {
    try { await navigator.clipboard.writeText(text); return true; } catch (e) {
      const area = document.createElement('textarea');
      area.value = text; area.setAttribute('readonly', ''); area.style.position = 'fixed';
      area.style.opacity = '0'; document.body.appendChild(area); area.select();
      const ok = document.execCommand('copy'); area.remove(); return ok;
    }
  };
  // The chip that opened the source pane: focus goes back to it when the pane closes.
  let opener = null;
  const closePane = () => {
    const pane = document.getElementById('kw-pane');
    if (!pane || pane.hidden) return false;
    pane.hidden = true;
    document.getElementById('kw-pane-frame').src = 'about:blank';
    if (opener && opener.isConnected) opener.focus();
    return true;
  };
  document.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && closePane()) event.preventDefault();
  });
  document.addEventListener('click', async (event) => {
    const button = event.target.closest('.kw-copy-btn');
    if (button) {
      event.preventDefault();
      const box = button.closest('.kw-copy');
      const text = box.querySelector('.kw-cite').textContent;
      const done = box.querySelector('.kw-cite-done').textContent;
      if (await copy(text)) {
        const label = button.dataset.label || button.textContent;
        button.dataset.label = label;
        button.textContent = '✓ ' + done;
        button.classList.add('kw-done');
        say(done);
        setTimeout(() => { button.textContent = label; button.classList.remove('kw-done'); }, 2500);
      }
      return;
    }
    const ref = event.target.closest('.kw-ref');
    const pane = document.getElementById('kw-pane');
    if (ref && pane) {
      event.preventDefault();
      const lang = document.documentElement.lang === 'en' ? 'en' : 'nl';
      const href = ref.getAttribute('href');
      document.getElementById('kw-pane-frame').src = href + (href.includes('?') ? '&' : '?')
        + 'lang=' + lang;
      document.getElementById('kw-pane-open').href = href;
      // The pane names what it shows: the chip's preview holds document title and section.
      const tip = ref.querySelector('.kw-tip');
      const title = tip && tip.querySelector('em');
      const where = tip ? tip.textContent.split(' · ').slice(1).join(' · ') : '';
      document.getElementById('kw-pane-title').textContent =
        title ? title.textContent : (lang === 'en' ? 'Source' : 'Bron');
      document.getElementById('kw-pane-section').textContent = where;
      opener = ref;
      pane.hidden = false;
      pane.scrollIntoView({block: 'nearest'});
      document.getElementById('kw-pane-close').focus();
      return;
    }
    if (event.target.closest('#kw-pane-close')) {
      closePane();
      return;
    }
    const rateButton = event.target.closest('.kw-rate-btn');
    if (rateButton) {
      event.preventDefault();
      const box = rateButton.closest('.kw-rate');
      box.querySelectorAll('.kw-rate-btn').forEach((b) => b.setAttribute('aria-pressed',
        String(b === rateButton)));
      box.classList.add('kw-rated');
      say(box.querySelector('.kw-rate-done').textContent);
      const field = document.querySelector('#kw-rate-box textarea');
      field.value = box.querySelector('.kw-rate-id').textContent + ':'
        + (rateButton.classList.contains('kw-up') ? 'up' : 'down');
      field.dispatchEvent(new Event('input', {bubbles: true}));
      setTimeout(() => document.getElementById('kw-rate-send').click(), 150);
      return;
    }
    if (event.target.closest('.kw-skip')) {
      event.preventDefault();
      const answers = document.querySelectorAll('#kw-chat .message-row.bot-row .kw-answer');
      const latest = answers[answers.length - 1];
      if (latest) {
        latest.setAttribute('tabindex', '-1');
        latest.closest('.message-row').previousElementSibling?.scrollIntoView({block: 'start'});
        latest.focus({preventScroll: true});
      }
      return;
    }
    const next = event.target.closest('.kw-next');
    if (next) {
      event.preventDefault();
      const box = document.querySelector('#kw-question textarea');
      box.value = next.textContent;
      box.dispatchEvent(new Event('input', {bubbles: true}));
      setTimeout(() => document.getElementById('kw-ask').click(), 150);
    }
  });
  // Dutch page, question box focused: what a GP types first is the question.
  const ready = () => {
    document.documentElement.lang = 'nl';
    let tries = 0;
    // Gradio renders after load and may re-render: keep the focus until it holds.
    const timer = setInterval(() => {
      const box = document.querySelector('#kw-question textarea');
      const idle = !document.activeElement || document.activeElement === document.body;
      if (box && document.activeElement === box && ++tries > 5) clearInterval(timer);
      else if (box && idle) box.focus();
      if (++tries > 60) clearInterval(timer);
    }, 100);
  };
  // Gradio may add this script after the page has loaded.
  if (document.readyState === 'complete') ready(); else window.addEventListener('load', ready);
  // Gradio names its chat icons in English; they follow the page's language.
  const NAMES = {
    nl: {Clear: 'Nieuw gesprek (wist alles)'},
    en: {Clear: 'New conversation (clears everything)'},
  };
  window.kwRename = () => {
    // The chat's sanitiser keeps a button's title but drops aria attributes.
    document.querySelectorAll('#kw-chat .kw-rate-btn:not([aria-label])').forEach((b) => {
      b.setAttribute('aria-label', b.title);
      b.setAttribute('aria-pressed', 'false');
    });
    const names = NAMES[document.documentElement.lang === 'en' ? 'en' : 'nl'];
    document.querySelectorAll('#kw-chat button[aria-label]').forEach((b) => {
      const label = b.getAttribute('aria-label');
      const role = b.dataset.kwRole || (label in NAMES.nl ? label : null);
      if (!role) return;
      b.dataset.kwRole = role;
      if (label !== names[role]) {
        b.setAttribute('aria-label', names[role]);
        b.title = names[role];
      }
    });
  };
  new MutationObserver(() => window.kwRename()).observe(
    document.documentElement, {childList: true, subtree: true});
})();
