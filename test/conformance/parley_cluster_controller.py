"""irctest controller for a parley cluster: per test a redis-server, two `parley serve` nodes joined through it, and a proxy that hands irctest's connections to the nodes in turn."""

# Same settings as parley_controller (one YAML file per test, read by both nodes); the port
# irctest connects to is a round-robin proxy (rrproxy.py), so of any two clients of a test one is
# usually on each node, and every message, channel and account crosses the cluster. run.sh uses
# it when PARLEY_IRCTEST_CLUSTER=1. PARLEY_IRCTEST_CLUSTER_DB=files gives each node its own
# SQLite file instead of the shared Redis store.

import os
from pathlib import Path
from typing import Optional, Type

from irctest.runner import NotImplementedByController

from parley_controller import ParleyController

HERE = Path(__file__).resolve().parent


class ParleyClusterController(ParleyController):
    software_name = "parley-cluster"

    def run(
        self,
        hostname: str,
        port: int,
        *,
        password: Optional[str],
        ssl: bool,
        run_services: bool,
        faketime: Optional[str],
        websocket_hostname: Optional[str] = None,
        websocket_port: Optional[int] = None,
    ) -> None:
        if ssl:
            raise NotImplementedByController("TLS through the cluster proxy")
        if websocket_port is not None:
            raise NotImplementedByController("WebSocket through the cluster proxy")
        # The single-server controller writes the config and starts one server: keep the config,
        # replace the server by the cluster.
        super().run(
            hostname,
            port,
            password=password,
            ssl=ssl,
            run_services=run_services,
            faketime=faketime,
        )
        assert self.proc is not None and self.directory is not None
        self.kill_proc()
        ports = [self.get_hostname_and_port()[1] for _ in range(3)]
        redis_port, p1, p2 = ports
        store = os.environ.get("PARLEY_IRCTEST_CLUSTER_DB", "redis")
        db = "files" if store == "files" else f"redis://127.0.0.1:{redis_port}"
        self.port = port
        self.proc = self.execute(
            [
                "bash",
                str(HERE / "cluster-launch.sh"),
                str(self.directory / "parley.yaml"),
                hostname,
                str(port),
                str(redis_port),
                str(p1),
                str(p2),
                db,
            ],
            proc_name="parley-cluster",
            cwd=str(self.directory),
        )


def get_irctest_controller_class() -> Type[ParleyClusterController]:
    return ParleyClusterController
