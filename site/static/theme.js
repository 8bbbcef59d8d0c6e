// Sets the colour theme before the page is drawn: the reader's choice if
// they made one, else the system's.
(function () {
  var theme = null;
  try { theme = localStorage.getItem("bgtasks.theme"); } catch (e) {}
  if (theme !== "light" && theme !== "dark") {
    theme = window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
  }
  document.documentElement.setAttribute("data-theme", theme);
})();
