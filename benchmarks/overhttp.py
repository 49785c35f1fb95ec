"""The HTTP side of benchmarks/pages.py: gunicorn servers, browser-like clients, a load loop.

- `Server` starts gunicorn (sync workers, as deploy/gunicorn.conf.py) on a free loopback
  port in its own process group, waits until it answers, and always stops it: SIGTERM to
  the master, then SIGKILL to its group if it has not gone within a few seconds.
- `Client` is one visitor: one connection (http.client; the sync worker closes it after
  each answer and the client opens the next, as browsers do with such a server), its own
  cookies, a Polish Accept-Language.
- `run_batch` sends a number of requests from several clients at once, one thread each,
  and returns every latency and the wall time the batch took.
"""

from __future__ import annotations

import http.client
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
# The settings of deploy/gunicorn.conf.py that matter for speed. The worker count is the
# brief's (2 on this 2-core machine); max_requests is left out, so no worker restarts in
# the middle of a measurement.
GUNICORN_SETTINGS = [
    "--worker-class",
    "sync",
    "--workers",
    "2",
    "--timeout",
    "60",
    "--graceful-timeout",
    "5",
    "--keep-alive",
    "5",
    "--log-level",
    "warning",
    "--error-logfile",
    "-",
]


def _end_with_parent() -> None:
    """In the child before exec: Linux sends it SIGTERM if this script dies, even by SIGKILL."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """One gunicorn master with its workers, started and stopped by this process."""

    def __init__(self, name: str, app: str, log_path: Path, env: dict | None = None):
        self.name, self.app, self.log_path = name, app, log_path
        self.env = {**os.environ, **(env or {})}
        self.port = free_port()
        self.process: subprocess.Popen | None = None
        self._workers: list[int] = []

    def start(self, ready_path: str = "/", timeout: float = 60) -> None:
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "--chdir",
            str(REPO),
            "--pythonpath",
            str(BENCH_DIR),
            "--bind",
            f"127.0.0.1:{self.port}",
            *GUNICORN_SETTINGS,
            self.app,
        ]
        self.log = open(self.log_path, "wb")  # noqa: SIM115  (closed in stop)
        self.process = subprocess.Popen(
            command,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            # Its own process group: stop() can end the master and the workers together,
            # and a Ctrl-C in the terminal reaches only this script, which then stops it.
            start_new_session=True,
            preexec_fn=_end_with_parent,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name}: gunicorn exited.\n{self.log_tail()}")
            try:
                status, _, _ = Client(self.port).get(ready_path)
            except OSError:
                time.sleep(0.2)
                continue
            if status == 200:
                return
            raise RuntimeError(f"{self.name}: {ready_path} answered {status}.\n{self.log_tail()}")
        raise RuntimeError(f"{self.name}: no answer within {timeout} s.\n{self.log_tail()}")

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None:
            return
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                # The group is the one start() made for this master (pgid == its pid).
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
        self.log.close()

    def cpu_seconds(self) -> float:
        """CPU time the master and its workers have used so far, in seconds."""
        if self.process is None:
            return 0.0
        master = self.process.pid
        if not self._workers or not all(Path(f"/proc/{pid}").exists() for pid in self._workers):
            self._workers = [
                int(entry.name)
                for entry in Path("/proc").iterdir()
                if entry.name.isdigit() and _parent(entry) == master
            ]
        return sum(process_cpu(pid) for pid in (master, *self._workers))

    def worker_memory_mb(self) -> list[float]:
        """Each worker's resident memory now, in MB (VmRSS)."""
        self.cpu_seconds()  # finds the workers
        sizes = []
        for pid in self._workers:
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            for line in status.splitlines():
                if line.startswith("VmRSS:"):
                    sizes.append(int(line.split()[1]) / 1024)
        return sizes

    def log_tail(self, lines: int = 30) -> str:
        try:
            self.log.flush()
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])


_TICK = os.sysconf("SC_CLK_TCK")


def _stat(path: Path) -> list[str]:
    try:
        text = (path / "stat").read_text()
    except OSError:
        return []
    # The command name is in parentheses and may hold spaces: split after it.
    return text[text.rfind(")") + 2 :].split()


def _parent(path: Path) -> int | None:
    fields = _stat(path)
    return int(fields[1]) if fields else None


def process_cpu(pid: int) -> float:
    """Seconds on a CPU of a single-threaded process: nanoseconds from schedstat, where the
    kernel has it, else user + system time in clock ticks (10 ms, too coarse for a bare page)."""
    try:
        return int(Path(f"/proc/{pid}/schedstat").read_text().split()[0]) / 1e9
    except (OSError, ValueError, IndexError):
        fields = _stat(Path(f"/proc/{pid}"))
        return (int(fields[11]) + int(fields[12])) / _TICK if fields else 0.0


_TOKEN_INPUT = re.compile(rb'<input[^>]*\bname="csrf_token"[^>]*>')
_VALUE = re.compile(rb'\bvalue="([^"]*)"')


def csrf_token(page: bytes) -> str:
    """The CSRF token of the first form on a page."""
    found = _TOKEN_INPUT.search(page)
    value = _VALUE.search(found.group(0)) if found else None
    if value is None:
        raise RuntimeError("no csrf_token input on the page")
    return value.group(1).decode()


class Client:
    """One visitor: a connection to the server and the cookies it was given."""

    def __init__(self, port: int):
        self.port = port
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
        self.cookies: dict[str, str] = {}
        self.csrf = ""

    def get(self, path: str) -> tuple[int, http.client.HTTPMessage, bytes]:
        return self.request("GET", path)

    def request(
        self, method: str, path: str, body: bytes | None = None, content_type: str | None = None
    ) -> tuple[int, http.client.HTTPMessage, bytes]:
        headers = {
            "User-Agent": "Mozilla/5.0 (portal benchmark)",
            "Accept": "text/html,application/xhtml+xml",
            "Accept-Language": "pl-PL,pl;q=0.9",
        }
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if content_type:
            headers["Content-Type"] = content_type
        for attempt in (1, 2):
            try:
                self.connection.request(method, path, body=body, headers=headers)
                response = self.connection.getresponse()
                data = response.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # A connection the server closed while idle; a POST is never sent twice.
                self.connection.close()
                if attempt == 2 or method != "GET":
                    raise
        for cookie in response.headers.get_all("Set-Cookie") or []:
            pair = cookie.split(";", 1)[0]
            name, _, value = pair.partition("=")
            expired = "max-age=0" in cookie.lower() or "1970" in cookie
            if expired or not value:
                self.cookies.pop(name.strip(), None)
            else:
                self.cookies[name.strip()] = value.strip()
        return response.status, response.headers, data

    def close(self) -> None:
        self.connection.close()


def multipart(fields: dict[str, str], files: tuple[str, ...] = ()) -> tuple[bytes, str]:
    """A multipart/form-data body as a browser sends it; files are empty file inputs."""
    boundary = "----portalbench" + os.urandom(8).hex()
    parts = []
    for name, value in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        )
    for name in files:
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename=""\r\n'
            "Content-Type: application/octet-stream\r\n\r\n\r\n"
        )
    parts.append(f"--{boundary}--\r\n")
    return "".join(parts).encode(), f"multipart/form-data; boundary={boundary}"


# A function that sends one request of a page from a client: (status, body) back.
Hit = Callable[[Client], tuple[int, bytes]]


@dataclass
class Sample:
    latencies_ms: list[float] = field(default_factory=list)
    seconds: float = 0.0
    body_bytes: int = 0
    server_cpu: float = 0.0  # seconds of the server's workers
    database_cpu: float = 0.0  # seconds of the database server's processes, if measured
    client_cpu: float = 0.0  # seconds of this process (the load generator)

    @property
    def cpu_ms(self) -> float:
        """Server CPU per request, in milliseconds."""
        return self.server_cpu * 1000 / self.count if self.count else 0.0

    @property
    def database_cpu_ms(self) -> float:
        return self.database_cpu * 1000 / self.count if self.count else 0.0

    @property
    def count(self) -> int:
        return len(self.latencies_ms)

    @property
    def per_second(self) -> float:
        return self.count / self.seconds if self.seconds else 0.0

    @property
    def p50(self) -> float:
        return statistics.median(self.latencies_ms)

    @property
    def p95(self) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]


def run_batch(
    clients: list[Client],
    hit: Hit,
    count: int,
    expect: int,
    sample: Sample,
    server: Server | None = None,
    database_cpu: Callable[[], float] | None = None,
) -> None:
    """Send count requests spread over the clients, all at once; add them to sample."""
    shares = [count // len(clients) + (i < count % len(clients)) for i in range(len(clients))]
    active = [(client, share) for client, share in zip(clients, shares, strict=True) if share]
    start = threading.Barrier(len(active) + 1)
    results: list[list[float]] = [[] for _ in active]
    failures: list[BaseException] = []

    def work(index: int, client: Client, share: int) -> None:
        try:
            start.wait()
            for _ in range(share):
                began = time.perf_counter()
                status, body = hit(client)
                results[index].append((time.perf_counter() - began) * 1000)
                if status != expect:
                    raise RuntimeError(f"answered {status}, expected {expect}: {body[:300]!r}")
                sample.body_bytes = len(body)
        except BaseException as error:  # noqa: BLE001  (re-raised in the main thread)
            failures.append(error)
            start.abort()

    threads = [
        threading.Thread(target=work, args=(i, client, share), daemon=True)
        for i, (client, share) in enumerate(active)
    ]
    for thread in threads:
        thread.start()
    server_cpu = server.cpu_seconds() if server else 0.0
    database = database_cpu() if database_cpu else 0.0
    client_cpu = time.process_time()
    try:
        start.wait()
    except threading.BrokenBarrierError:
        pass
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    if failures:
        raise failures[0]
    sample.client_cpu += time.process_time() - client_cpu
    if server:
        sample.server_cpu += server.cpu_seconds() - server_cpu
    if database_cpu:
        sample.database_cpu += database_cpu() - database
    sample.seconds += elapsed
    for latencies in results:
        sample.latencies_ms.extend(latencies)
