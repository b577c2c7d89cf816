# shellcheck shell=sh
# Waits until no node transaction holds the node lock, for at most WAIT seconds, and holds it no longer
# than it takes to see it free. Follows src/node/sh/preamble.sh; exit 0 when it is free.
[ -e "$STATE/lock" ] || exit 0
has flock || exit 0
flock -w "$WAIT" "$STATE/lock" true
