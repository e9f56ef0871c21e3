() => {
  const show = () => {
    const rows = document.querySelectorAll('#kw-chat .message-row.user-row');
    if (rows.length) rows[rows.length - 1].scrollIntoView({block: 'start'});
    // The ask button is disabled once the box is empty: the focus would fall to <body>.
    const focused = document.activeElement;
    if (!focused || focused === document.body || focused.id === 'kw-ask') {
      const box = document.querySelector('#kw-question textarea');
      if (box) box.focus({preventScroll: true});
    }
  };
  requestAnimationFrame(() => requestAnimationFrame(show));
}
