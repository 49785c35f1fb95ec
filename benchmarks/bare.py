"""The yardstick for benchmarks/pages.py --http: the smallest Flask page worth the name.

One route renders a few hundred bytes of HTML through Jinja (render_template_string), so
a request pays for what every portal page pays for as well (WSGI, routing, a request
context, a template, a response) and for nothing else: no database, no session, no forms.
It runs under the same gunicorn settings as the portal, and each portal page is reported
as a ratio to it, which cancels much of the machine's speed and of the load generator.

Run it alone with: .venv/bin/gunicorn -w 2 -b 127.0.0.1:8001 --chdir benchmarks bare:app
"""

from __future__ import annotations

from flask import Flask, render_template_string

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

app = Flask(__name__)


@app.get("/")
def page():
    return render_template_string(
        PAGE,
        title="Klub Seniora — strona próbna",
        text="Ta strona mierzy, ile kosztuje najprostsza odpowiedź Flaska z szablonem.",
        items=ITEMS,
    )
