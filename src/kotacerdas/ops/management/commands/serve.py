from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Sajikan aplikasi web (gunicorn + whitenoise) / Serve the web application."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="alamat / bind address")
        parser.add_argument("--port", type=int, default=8000, help="port (default 8000)")
        parser.add_argument("--workers", type=int, default=2, help="jumlah worker / worker processes")
        parser.add_argument("--threads", type=int, default=4)
        parser.add_argument("--no-worker", action="store_true",
                            help="jangan jalankan pekerja latar / do not start the background worker (run `kotacerdas "
                                 "worker` elsewhere; /healthz reports whether one is alive)")

    def handle(self, *args: Any, **opts: Any) -> None:
        from pathlib import Path

        from django.conf import settings
        from gunicorn.app.base import BaseApplication

        # WhiteNoise serves the packaged static files through the finders; an absent STATIC_ROOT only
        # makes it warn on every start.
        Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)
        from kotacerdas.wsgi import application

        bind = f"{opts['host']}:{opts['port']}"

        class App(BaseApplication):  # type: ignore[misc]
            def load_config(self) -> None:
                self.cfg.set("bind", bind)
                self.cfg.set("workers", opts["workers"])
                self.cfg.set("threads", opts["threads"])
                self.cfg.set("accesslog", "-")
                self.cfg.set("timeout", 120)

            def load(self) -> Any:
                return application

        supervisor = None
        if not opts["no_worker"]:
            import os

            from kotacerdas.core.supervisor import WorkerSupervisor

            # A separate process, started again whenever it dies: a crashed job never takes the web server
            # down with it, and the queue never stops because its worker did.
            supervisor = WorkerSupervisor(
                min_delay=float(os.environ.get("KOTACERDAS_WORKER_RESTART_MIN", "1")),
                max_delay=float(os.environ.get("KOTACERDAS_WORKER_RESTART_MAX", "60")),
                say=lambda line: self.stderr.write(line)).start()
        self.stdout.write(f"kotacerdas melayani di http://{bind}/ (Ctrl+C untuk berhenti)")
        try:
            App().run()
        finally:
            if supervisor is not None:
                supervisor.stop()
