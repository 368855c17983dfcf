#!/usr/bin/env bash
# The cluster controller's one process: a redis-server, two `parley serve` nodes on it, and a round-robin proxy on the port irctest connects to.
#
#   cluster-launch.sh CONFIG HOST PORT REDIS_PORT NODE1_PORT NODE2_PORT DB
#
# Both nodes read CONFIG (the controller's YAML); flags give each its own port and node id, the
# cluster, and the store (DB: a redis:// URL shared by both, or `files` for one SQLite file each).
# Only node 1 opens the admin socket. The proxy starts once both nodes answer, so every
# connection irctest makes reaches a node that is up; if any part exits, all stop.
set -u
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
MAIN="$HERE/../../dist/src/cli/main.js"
CONFIG="$1" HOST="$2" PORT="$3" RPORT="$4" P1="$5" P2="$6" DB="$7"
NODE="${PARLEY_NODE:-node}"
DIR="$(dirname "$CONFIG")"
trap 'kill 0 2>/dev/null' EXIT TERM INT

redis-server --port "$RPORT" --bind 127.0.0.1 --save '' --appendonly no --dir "$DIR" &
for _ in $(seq 200); do (exec 3<>"/dev/tcp/127.0.0.1/$RPORT") 2>/dev/null && break; sleep 0.05; done
URL="redis://127.0.0.1:$RPORT"
db1="$DB" db2="$DB"
if [ "$DB" = files ]; then db1="$DIR/n1.db" db2="$DIR/n2.db"; fi
"$NODE" "$MAIN" serve --config "$CONFIG" --host 127.0.0.1 --port "$P1" --cluster "$URL" --node-id n1 --db "$db1" &
"$NODE" "$MAIN" serve --config "$CONFIG" --host 127.0.0.1 --port "$P2" --cluster "$URL" --node-id n2 --db "$db2" --admin-socket none &
for p in "$P1" "$P2"; do
  for _ in $(seq 400); do (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null && break; sleep 0.05; done
done
python3 "$HERE/rrproxy.py" "$HOST" "$PORT" "127.0.0.1:$P1" "127.0.0.1:$P2" &
wait -n
