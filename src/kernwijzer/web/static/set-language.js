(lang) => {
  document.documentElement.lang = lang;
  document.title = lang === 'en' ? 'Kernwijzer — general practice from the sources'
                                 : 'Kernwijzer — huisartsenzorg uit de bronnen';
  window.kwRename && window.kwRename();
  const en = lang === 'en';
  const words = en
    ? ['Source', 'open in new tab', 'Close the source', 'Source beside the conversation']
    : ['Bron', 'open in nieuw tabblad', 'Sluit de bron', 'Bron naast het gesprek'];
  const pane = document.getElementById('kw-pane');
  if (pane) {
    document.getElementById('kw-pane-open').textContent = words[1];
    document.getElementById('kw-pane-close').setAttribute('aria-label', words[2]);
    document.getElementById('kw-pane-frame').title = words[3];
  }
}
