"""irctest controller for parley: one `parley serve` per test, on a free loopback port, with its own config file and data directory."""

# irctest (../shared/irctest, pinned) picks a server with `pytest --controller MODULE`; this module
# is that MODULE for parley. Like irctest's Ergo controller, it writes a YAML config into a fresh
# directory for each test and starts the server from the build in dist/ (npm run build), so tests
# that change the config (a connection password, later accounts and history) get a server of
# their own. run.sh puts this folder and the loopback helpers on PYTHONPATH.

import base64
import hashlib
import os
from pathlib import Path
import shutil
import subprocess
from typing import Any, Dict, Optional, Type

from irctest import patma
from irctest.basecontrollers import BaseServerController, DirectoryBasedController
from irctest.runner import NotImplementedByController
from irctest.specifications import Capabilities, OptionalBehaviors
import irctest_loopback  # noqa: F401  (the kit's port picker: every server on 127.0.0.1)

REPO = Path(__file__).resolve().parents[2]
MAIN = REPO / "dist" / "src" / "cli" / "main.js"


def _oper_hash(password: str) -> str:
    """The hash `parley passwd` would print (same scrypt parameters and format)."""
    salt = os.urandom(16)
    key = hashlib.scrypt(password.encode(), salt=salt, n=16384, r=8, p=1, dklen=32)
    b64 = lambda b: base64.b64encode(b).decode()  # noqa: E731
    return f"scrypt$16384$8$1${b64(salt)}${b64(key)}"


# irctest's operator tests use this name and password.
OPER_HASH = _oper_hash("operpassword")


def _yaml_value(value: Any) -> str:
    """A scalar as YAML: numbers as they are, everything else single-quoted."""
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, int):
        return str(value)
    return "'" + str(value).replace("'", "''") + "'"


class ParleyController(BaseServerController, DirectoryBasedController):
    software_name = "parley"
    _port_wait_interval = 0.02
    supported_sasl_mechanisms = {"PLAIN", "SCRAM-SHA-256"}
    supports_sts = False
    extban_mute_char = "m"

    capabilities = frozenset(
        (
            Capabilities.ACCOUNT_NOTIFY,
            Capabilities.ACCOUNT_TAG,
            Capabilities.AWAY_NOTIFY,
            Capabilities.BATCH,
            Capabilities.ECHO_MESSAGE,
            Capabilities.EXTENDED_JOIN,
            Capabilities.EXTENDED_MONITOR,
            Capabilities.LABELED_RESPONSE,
            Capabilities.MESSAGE_REDACTION,
            Capabilities.MESSAGE_TAGS,
            Capabilities.MULTILINE,
            Capabilities.MULTI_PREFIX,
            Capabilities.READ_MARKER,
            Capabilities.SERVER_TIME,
            Capabilities.SETNAME,
        )
    )

    optional_behaviors = frozenset(
        (
            OptionalBehaviors.BAN_EXCEPTION_MODE,
            OptionalBehaviors.CAP_REQ_MINUS,
            OptionalBehaviors.ELIST_C,
            OptionalBehaviors.ELIST_M,
            OptionalBehaviors.ELIST_N,
            OptionalBehaviors.ELIST_T,
            OptionalBehaviors.ELIST_U,
            OptionalBehaviors.INVITE_LIST,
            OptionalBehaviors.INVITE_EXCEPTION_MODE,
            OptionalBehaviors.MULTI_JOIN,
            OptionalBehaviors.MULTI_KICK,
            OptionalBehaviors.MULTI_NAMES_COMMAND,
            OptionalBehaviors.MULTI_PRIVMSG,
            OptionalBehaviors.NO_CTCP,
        )
    )

    # What parley's 005 must say (isupport.py testValues checks it).
    isupport = {
        "BOT": "B",
        "CASEMAPPING": "ascii",
        "CHANTYPES": "#",
        "ELIST": "CMNTU",
        "EXCEPTS": "e",
        "EXTBAN": ",am",
        "INVEX": "I",
        "MONITOR": "100",
        "PREFIX": "(ov)@+",
        "STATUSMSG": "@+",
        "TARGMAX": patma.ANYSTR,
        "UTF8ONLY": None,
        "WHOX": None,
    }

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
        if faketime is not None:
            raise NotImplementedByController("Faketime")
        if self.test_config.account_registration_requires_email:
            # parley sends no mail: REGISTER never asks for an address.
            raise NotImplementedByController("account registration requiring email")
        if not MAIN.is_file():
            raise RuntimeError(f"{MAIN} is missing: run `npm run build` first")
        assert self.proc is None
        self.create_config()
        assert self.directory
        self.port = port
        settings = {
            "host": hostname,
            "port": port,
            "name": "My.Little.Server",
            "network": "parley",
            "description": "test server",
            # links.py expects the services under this name, linked to My.Little.Server.
            "services-name": "My.Little.Services",
            "default-channel": "",
            # irctest's clients send bursts a human would not; flood control has its own tests.
            "flood": False,
            "advertise": False,
            "log-chat": False,
            "log-level": "warn",
            # Accounts and history in the test's own directory.
            "db": str(self.directory / "parley.db"),
            # registerUser creates accounts through it (`parley account add`).
            "admin-socket": str(self.directory / "admin.sock"),
            # irctest's accounts have short passwords ("sesame").
            "password-min": 1,
            # As Ergo's allow-before-connect: irctest asks for REGISTER before the welcome or not.
            "register-before-connect": self.test_config.account_registration_before_connect,
        }
        if self._wants_always_on():
            settings["always-on"] = True
        if ssl:
            # irctest connects with TLS to `port`; the plain port goes anywhere free.
            self.gen_ssl()
            settings["port"] = 0
            settings["tls-port"] = port
            settings["tls-cert"] = str(self.pem_path)
            settings["tls-key"] = str(self.key_path)
        if password is not None:
            settings["password"] = password
        if websocket_port is not None:
            # On the same host: irctest asks for the loopback address it picked for both.
            settings["websocket-port"] = websocket_port
        config = self.directory / "parley.yaml"
        text = "".join(f"{k}: {_yaml_value(v)}\n" for k, v in settings.items())
        text += f"opers:\n  - name: operuser\n    password: {_yaml_value(OPER_HASH)}\n"
        config.write_text(text)
        node = os.environ.get("PARLEY_NODE") or shutil.which("node") or "node"
        self.proc = self.execute(
            [node, str(MAIN), "serve", "--config", str(config)],
            proc_name="parley",
            cwd=str(self.directory),
        )

    def _wants_always_on(self) -> bool:
        """Whether the test asks Ergo for always-on clients (read_marker.py does, through
        ergo_config): its settings applied to an empty Ergo config, then read back."""
        change = self.test_config.ergo_config
        if change is None:
            return False
        config: Dict[str, Any] = {"accounts": {"multiclient": {}}}
        try:
            change(config)
        except (KeyError, TypeError):
            return False  # it changes something else: not this
        always_on = config["accounts"]["multiclient"].get("always-on")
        return always_on in ("opt-out", "mandatory")

    def wait_for_services(self) -> None:
        pass

    def registerUser(
        self,
        case: Any,
        username: str,
        password: Optional[str] = None,
    ) -> None:
        """Create an account as the server's operator would: `parley account add` on the admin socket.

        No IRC line carries the password, so it may be longer than one (sasl.py's 592 bytes).
        """
        assert password and self.directory
        # The admin socket opens before the IRC port, so once the port answers it does too.
        self.wait_for_port()
        secret = self.directory / f"password-{username}"
        secret.write_text(password + "\n")
        node = os.environ.get("PARLEY_NODE") or shutil.which("node") or "node"
        done = subprocess.run(
            [node, str(MAIN), "account", "add", username,
             "--socket", str(self.directory / "admin.sock"), "--password-file", str(secret)],
            capture_output=True, text=True, timeout=30,
        )
        secret.unlink()
        if done.returncode != 0:
            raise RuntimeError(f"registering {username} failed: {done.stderr.strip()}")


def get_irctest_controller_class() -> Type[ParleyController]:
    return ParleyController
