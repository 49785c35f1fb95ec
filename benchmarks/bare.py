"""The yardstick for benchmarks/pages.py --http: the smallest Flask page worth the name.

"/" renders a few hundred bytes of HTML through Jinja, so a request pays for what every
portal page pays for as well (WSGI, routing, a request context, a template, a response)
and for nothing else: no database, no session, no forms. It runs under the same gunicorn
settings as the portal, and each portal page is reported as a ratio to it, which cancels
much of the machine's speed and of the load generator.

The template is the string below, but found by name (a DictLoader) and rendered with
render_template, as the portal's pages are: Jinja compiles it once per worker and keeps
it. render_template_string compiles its string again on every call (about 1.2 ms here,
two thirds of the whole in-process request), a cost no real page pays; "/string" is that
variant, for comparison (`pages.py --http --bare-path /string`).

Run it alone with: .venv/bin/gunicorn -w 2 -b 127.0.0.1:8001 --chdir benchmarks bare:app
"""

from __future__ import annotations

from flask import Flask, render_template, render_template_string
from jinja2 import DictLoader

PAGE = """<!doctype html>
<html lang="pl">
<head><meta charset="utf-8"><title>{{ title }}</title></head>
<body>
<main>
<h1>{{ title }}</h1>
<p>{{ text }}</p>
<ul>{% for item in items %}<li>{{ item }}</li>{% endfor %}</ul>
</main>
</body>
</html>
"""

ITEMS = ["Naprawa odzieży", "Drobne naprawy w domu", "Pomoc przy komputerze"]

CONTEXT = {
    "title": "Klub Seniora — strona próbna",
    "text": "Ta strona mierzy, ile kosztuje najprostsza odpowiedź Flaska z szablonem.",
    "items": ITEMS,
}

app = Flask(__name__)
app.jinja_loader = DictLoader({"bare.html": PAGE})


@app.get("/")
def page():
    return render_template("bare.html", **CONTEXT)


@app.get("/string")
def page_from_string():
    return render_template_string(PAGE, **CONTEXT)
