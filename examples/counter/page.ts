/**
 * The counter's only HTML page. The count is a number; `section` is HTML its maker has escaped (the
 * sign-in demo's, see signin-page.ts).
 */
export function counterPage(count: number, section = ''): string {
  // Links and the form action are relative, so the page also works under a named API stage (/prod/).
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Session counter</title>
<style>
  body { font-family: system-ui, sans-serif; max-width: 36rem; margin: 3rem auto; padding: 0 1rem; line-height: 1.5 }
  #count { font-size: 2.5rem; font-weight: 700 }
  button { font: inherit; padding: .3rem 1rem }
  form { display: inline }
  #account { margin-top: 2rem; border-top: 1px solid #ccc; padding-top: 1rem }
  .signed-in { display: flex; align-items: center; justify-content: space-between; gap: 1rem }
  #sessions { list-style: none; padding: 0 }
  .session { display: grid; grid-template-columns: 1fr auto; align-items: center; gap: 0 1rem;
    padding: .5rem .75rem; margin: .5rem 0; border: 1px solid #ddd; border-radius: .4rem }
  .session.current { border-color: #4a7; background: #f3fbf5 }
  .session form, .session .this-device { grid-column: 2; grid-row: 1 / 3 }
  .device { overflow-wrap: anywhere }
  .times, .note { color: #555; font-size: .9rem }
  .this-device { color: #276 }
  input { font: inherit; padding: .25rem .5rem }
</style>
</head>
<body>
<main>
<h1>Session counter</h1>
<p>Visits in this session: <span id="count">${count}</span></p>
<p>The count lives in DynamoDB; your browser only keeps an HttpOnly cookie with the session id.</p>
<form method="post" action="reset"><button id="reset" type="submit">Reset</button></form>
<p>JSON: <a href="api/count">api/count</a> (counts too) · <a href="api/peek">api/peek</a> (reads only)</p>
${section}
</main>
<script>
  // Dates in the reader's time zone (the server writes UTC).
  for (const time of document.querySelectorAll('time[datetime]')) {
    time.textContent = new Date(time.dateTime).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' })
  }
</script>
</body>
</html>
`
}
