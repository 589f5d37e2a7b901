"""Locust users for ``benchmarks/load_pages.py``: reviewers with the review queue open, and analysts
browsing the registry. Each simulated person logs in once (a session of their own), then works with think
time: the queue's rows refresh every 15 s by HTMX (as the page does, revalidating the rows it holds), and between
refreshes the person opens alerts, the full queue and registry pages."""

from __future__ import annotations

import json
import os
import random
import re

from locust import HttpUser, between, task

PASSWORD = os.environ.get("LOAD_PASSWORD", "demo-youthsafe-2026")
ALERT_IDS = [int(x) for x in os.environ.get("LOAD_ALERT_IDS", "1").split(",") if x]
SESSIONS: dict[str, list[str]] = json.loads(os.environ.get("LOAD_SESSIONS") or "{}")
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class Person(HttpUser):
    abstract = True
    username = "reviewer"
    wait_time = between(5, 15)

    def on_start(self) -> None:
        keys = SESSIONS.get(self.username)
        if keys:  # a session made beforehand (load_pages.py), one per simulated person
            self.client.cookies.set("sessionid", keys.pop())
            return
        page = self.client.get("/login/", name="login form")
        token = CSRF.search(page.text)
        self.client.post("/login/", name="login", data={
            "username": self.username, "password": PASSWORD, "csrfmiddlewaretoken": token.group(1) if token else ""},
            headers={"Referer": f"{self.host}/login/"})


class Reviewer(Person):
    weight = 3
    username = "reviewer"

    rows_tag = ""

    @task(6)
    def queue_refresh(self) -> None:
        # As the browser does: it keeps the rows it got with their entity tag (Cache-Control: private,
        # no-cache) and revalidates them, so unchanged rows come back as 304 Not Modified.
        headers = {"HX-Request": "true", "X-YouthSafe-Poll": "1"}
        if self.rows_tag:
            headers["If-None-Match"] = self.rows_tag
        response = self.client.get("/alerts/", name="/alerts/ (HTMX refresh)", headers=headers)
        if response.status_code == 200:
            self.rows_tag = response.headers.get("ETag", "")

    @task(2)
    def queue_page(self) -> None:
        self.client.get("/alerts/", name="/alerts/ (queue page)")

    @task(3)
    def alert(self) -> None:
        self.client.get(f"/alerts/{random.choice(ALERT_IDS)}/", name="/alerts/<id>/")


class Analyst(Person):
    weight = 1
    username = "analyst"

    @task(3)
    def registry(self) -> None:
        self.client.get(f"/registry/?page={random.randint(1, 4)}", name="/registry/")

    @task(1)
    def registry_search(self) -> None:
        self.client.get("/registry/?q=%E6%95%99%E8%82%B2", name="/registry/?q=")
