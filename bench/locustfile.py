"""One page, loaded by BENCH_USERS users with no think time (settings come from the environment)."""
from __future__ import annotations

import os

from locust import constant, task
from locust.contrib.fasthttp import FastHttpUser

URL = os.environ["BENCH_URL"]
HEADERS = {"X-Forwarded-Proto": "https", "Accept": "text/html"}
if os.environ.get("BENCH_COOKIE"):
    HEADERS["Cookie"] = os.environ["BENCH_COOKIE"]


class PageUser(FastHttpUser):
    wait_time = constant(0)
    network_timeout = 60.0
    connection_timeout = 60.0

    @task
    def page(self):
        with self.client.get(URL, headers=HEADERS, name="page", catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"status {response.status_code}")
