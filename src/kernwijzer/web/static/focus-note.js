() => {
  setTimeout(() => {
    const box = document.querySelector('#kw-note textarea');
    if (box && box.offsetParent) box.focus({preventScroll: true});
  }, 100);
}
