/** The counter's only HTML page. The count is a number, so nothing here needs escaping. */
export function counterPage(count: number): string {
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
</style>
</head>
<body>
<main>
<h1>Session counter</h1>
<p>Visits in this session: <span id="count">${count}</span></p>
<p>The count lives in DynamoDB; your browser only keeps an HttpOnly cookie with the session id.</p>
<form method="post" action="reset"><button id="reset" type="submit">Reset</button></form>
<p>JSON: <a href="api/count">api/count</a> (counts too) · <a href="api/peek">api/peek</a> (reads only)</p>
</main>
</body>
</html>
`
}
