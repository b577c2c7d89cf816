# shellcheck shell=sh
# Starts a node transaction detached from this session and waits for its outcome. Follows
# src/node/sh/preamble.sh, the variables RUN, MODE and LOCK_WAIT, and (for a new transaction) the
# files the controller unpacked into $STATE/txn/$RUN. If this session dies (dockhand killed, the
# link cut, a deadline), only the waiting stops: the transaction goes on to its end, and its
# outcome stays in $STATE/txn/$RUN/outcome for the next run.
T=$STATE/txn/$RUN
if [ ! -f "$T/worker.sh" ] || [ ! -f "$T/bundle" ]; then
  section error; echo "transaction $RUN is not on this node"; section end; exit 1
fi

# this launch's worker: its own pid file, output and busy note (two recoveries of one transaction may run at once)
ID=$$
rm -f -- "$T/pid.$ID" "$T/busy.$ID"

launched=
if [ -d /run/systemd/system ] && has systemd-run; then
  # its own unit: outside this session's cgroup, untouched when the session ends
  if systemd-run --quiet --collect --unit "dockhand-txn-$RUN-$MODE-$ID" --property KillMode=mixed \
      /bin/sh "$T/worker.sh" "$T" "$MODE" "$LOCK_WAIT" "$ID" >>"$T/log" 2>&1; then
    launched=systemd-run
  fi
fi
if [ -z "$launched" ]; then
  # no systemd: a session of its own, no terminal, no pipe back to this one
  setsid /bin/sh "$T/worker.sh" "$T" "$MODE" "$LOCK_WAIT" "$ID" </dev/null >>"$T/log" 2>&1 &
  launched=setsid
fi
# how it was started, for whoever reads this transaction later
printf '%s\n' "$launched" >"$T/launcher"

# wait for the outcome; notice a worker that died without one, or that could not have the node lock.
# Once the worker has written its pid it holds alive.ID's lock until it ends: `flock` waits for that end
# (5 s at most a time, in case a process the worker started keeps the lock after it), where a loop alone
# would start a `sleep` every 0.2 s for as long as the transaction takes (minutes on a busy node: a
# process each time, on every node of the run). A lock had at once means the worker never held it
# (no flock where it runs): then the loop polls.
n=0
held=
pid=
while [ ! -f "$T/outcome" ]; do
  if [ -n "$pid" ] && [ "$held" != no ] && [ -f "$T/alive.$ID" ] && has flock; then
    if flock -s -w 5 "$T/alive.$ID" true 2>/dev/null; then held=no; fi
  else
    sleep 0.2
  fi
  n=$((n + 1))
  if [ -f "$T/busy.$ID" ]; then
    section busy
    cat "$T/busy.$ID"
    section end
    exit 1
  fi
  # (the worker's shell creates its pid file before it writes the pid: an empty one is a worker starting)
  pid=
  if [ -f "$T/pid.$ID" ]; then read -r pid < "$T/pid.$ID" || :; fi
  if [ -n "$pid" ]; then
    if ! kill -0 "$pid" 2>/dev/null && [ ! -f "$T/outcome" ] && [ ! -f "$T/busy.$ID" ]; then
      section worker-died
      printf 'the transaction worker (%s, pid %s) ended without an outcome; see %s/log\n' "$launched" "$pid" "$T"
      tail -n 5 "$T/log" 2>/dev/null
      section end
      exit 1
    fi
  elif [ "$n" -ge 100 ]; then
    section worker-died
    printf 'the transaction worker (%s) did not start within 20 s; see %s/log\n' "$launched" "$T"
    tail -n 5 "$T/log" 2>/dev/null
    section end
    exit 1
  fi
done
cat "$T/outcome"
